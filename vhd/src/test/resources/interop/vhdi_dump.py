#!/usr/bin/python3
"""Reads a VHD through libvhdi (Debian's python3-libvhdi, module pyvhdi) and dumps its whole media.

usage: /usr/bin/python3 vhdi_dump.py OUT.raw TOP.vhd [PARENT.vhd [GRANDPARENT.vhd ...]]

Every file is opened with pyvhdi.file(); each differencing layer gets the next file as its parent through
set_parent (libvhdi does not look for parents itself, and set_parent checks the parent's identifier). The
media of TOP, as libvhdi reads it, goes to OUT.raw. On stdout, one tab-separated line per layer, top first:
index, key, value for identifier, parent_identifier, parent_filename, media_size, disk_type.

Reads never cross a block boundary of any layer: libvhdi 20210425 returns wrong data (zeros for present
sectors of the later blocks) for one read spanning several blocks when the block size is between 8 KiB and
1 MiB, while block-sized reads of the same image are right.
"""
import struct
import sys

import pyvhdi

MAX_CHUNK = 1 << 20


def block_size(path):
    """The block size from the dynamic header, or None for a fixed disk (parsed here: pyvhdi has no getter)."""
    with open(path, "rb") as f:
        f.seek(-512, 2)
        footer = f.read(512)
        disk_type = struct.unpack(">I", footer[60:64])[0]
        if disk_type not in (3, 4):
            return None
        data_offset = struct.unpack(">Q", footer[16:24])[0]
        f.seek(data_offset + 32)
        return struct.unpack(">I", f.read(4))[0]


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out_path, paths = argv[1], argv[2:]
    files = []
    for path in paths:
        f = pyvhdi.file()
        f.open(path)
        files.append(f)
    # Attach parents bottom-up, so a layer is complete before its child is linked to it.
    for i in range(len(files) - 2, -1, -1):
        files[i].set_parent(files[i + 1])
    for i, f in enumerate(files):
        for key in ("identifier", "parent_identifier", "parent_filename", "media_size", "disk_type"):
            value = getattr(f, key)
            print("%d\t%s\t%s" % (i, key, "" if value is None else value))
    top = files[0]
    size = top.media_size
    chunk = min([MAX_CHUNK] + [b for b in map(block_size, paths) if b])
    with open(out_path, "wb") as out:
        offset = 0
        while offset < size:
            n = min(chunk, size - offset)
            data = top.read_buffer_at_offset(n, offset)
            if len(data) != n:
                sys.exit("short read at %d: %d of %d bytes" % (offset, len(data), n))
            out.write(data)
            offset += n
    for f in files:
        f.close()


if __name__ == "__main__":
    main(sys.argv)
