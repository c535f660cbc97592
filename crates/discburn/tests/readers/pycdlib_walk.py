"""Lists every file of a disc image as pycdlib (a third-party ISO 9660/Joliet/Rock Ridge/UDF
library) reads it: one line per file and tree, `TREE<TAB>PATH<TAB>SIZE[<TAB>MD5]`.

Usage: pycdlib_walk.py IMAGE sizes|md5
"""
import hashlib
import sys

import pycdlib


class Md5Sink:
    """A file object that hashes what pycdlib writes to it, so big files need no memory."""

    def __init__(self):
        self.md5 = hashlib.md5()
        self.size = 0

    def write(self, data):
        self.md5.update(data)
        self.size += len(data)
        return len(data)


def size_of(record):
    """The file's size: an ISO 9660 file of several extents is a chain of directory
    records (pycdlib's data_continuation), each with its extent's length."""
    size = 0
    while record is not None:
        size += record.get_data_length()
        record = getattr(record, "data_continuation", None)
    return size


def main():
    image, mode = sys.argv[1], sys.argv[2]
    iso = pycdlib.PyCdlib()
    iso.open(image)
    trees = []
    if iso.has_rock_ridge():
        trees.append(("rr", "rr_path"))
    if iso.has_joliet():
        trees.append(("joliet", "joliet_path"))
    if iso.has_udf():
        trees.append(("udf", "udf_path"))
    for name, key in trees:
        for root, _dirs, files in iso.walk(**{key: "/"}):
            # The records of a file's further extents carry its name again.
            for f in dict.fromkeys(files):
                path = root.rstrip("/") + "/" + f
                if mode == "md5":
                    sink = Md5Sink()
                    iso.get_file_from_iso_fp(sink, **{key: path})
                    print(f"{name}\t{path}\t{sink.size}\t{sink.md5.hexdigest()}")
                else:
                    print(f"{name}\t{path}\t{size_of(iso.get_record(**{key: path}))}")
    iso.close()


main()
