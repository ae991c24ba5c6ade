package io.vhdstream.cli.json;

/** Why a command (or one file of it) failed: the same code and message as the one-line stderr error. */
public record ErrorJson(String code, String message) {
}
