package io.vhdstream.vhd;

/** WARNING: other tools tolerate it and data reads correctly. ERROR: the image is damaged or lies. */
public enum Severity {
    WARNING, ERROR
}
