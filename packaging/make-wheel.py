#!/usr/bin/env python3
"""Writes the `lambda-sim` wheel around a built binary, as maturin's `bindings = "bin"` would:
the binary as the wheel's script (`pip install` puts it on the environment's PATH), so a team
with Python or Node.js handlers needs no Rust toolchain. Standard library only.

The platform tag is `manylinux_2_N_<arch>`, N the newest glibc symbol version the binary asks
for (Rust's std links glibc and nothing else beyond it), so pip refuses the wheel on a system
whose glibc is older instead of installing a binary that cannot start.

Usage: make-wheel.py BINARY VERSION OUT_DIR   (prints the wheel's path)
"""

import base64
import hashlib
import os
import re
import struct
import sys
import zipfile

NAME = "lambda_sim"
METADATA = """\
Metadata-Version: 2.4
Name: lambda-sim
Version: {version}
Summary: A local simulator and test harness for AWS Lambda functions compiled to WebAssembly components
Keywords: aws-lambda,lambda,serverless,wasm,simulator
License-Expression: Apache-2.0
Requires-Python: >=3.9
Classifier: Programming Language :: Rust
Classifier: Environment :: Console
Classifier: Topic :: Software Development :: Testing
"""
WHEEL = """\
Wheel-Version: 1.0
Generator: lambda-sim packaging/make-wheel.py
Root-Is-Purelib: false
Tag: {tag}
"""
# A fixed date for every entry: the same binary gives the same wheel.
DATE = (1980, 1, 1, 0, 0, 0)


# ELF `e_machine` values and the architectures wheel tags name them by.
MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


def platform_tag(binary: bytes) -> str:
    """The binary's own architecture (its ELF header), not the host's: a cross-built binary
    gets its target's tag."""
    if binary[:4] != b"\x7fELF" or binary[4] != 2:
        sys.exit("error: the binary is not a 64-bit ELF file; is it a Linux binary?")
    order = "<" if binary[5] == 1 else ">"
    (machine,) = struct.unpack_from(order + "H", binary, 18)
    arch = MACHINES.get(machine)
    if arch is None:
        sys.exit(f"error: the binary is for an architecture wheels are not made for here (ELF machine {machine:#x})")
    versions = [(int(major), int(minor)) for major, minor in re.findall(rb"GLIBC_(\d+)\.(\d+)", binary)]
    if not versions:
        sys.exit("error: the binary names no glibc symbol version; is it linked to glibc?")
    major, minor = max(versions)
    return f"py3-none-manylinux_{major}_{minor}_{arch}"


def digest(data: bytes) -> str:
    raw = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def entry(archive: zipfile.ZipFile, path: str, data: bytes, mode: int, record: list) -> None:
    info = zipfile.ZipInfo(path, DATE)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
    record.append(f"{path},{digest(data)},{len(data)}")


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: make-wheel.py BINARY VERSION OUT_DIR")
    binary_path, version, out_dir = sys.argv[1:]
    # A wheel's file name and METADATA need a PEP 440 version; Cargo's pre-releases
    # (`0.2.0-rc.1`) are not one as they are.
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        sys.exit(f"error: version `{version}` is not MAJOR.MINOR.PATCH; give the wheel a PEP 440 version")
    try:
        with open(binary_path, "rb") as file:
            binary = file.read()
    except OSError as err:
        sys.exit(f"error: failed to read the binary `{binary_path}`: {err.strerror}")
    tag = platform_tag(binary)
    os.makedirs(out_dir, exist_ok=True)
    wheel = os.path.join(out_dir, f"{NAME}-{version}-{tag}.whl")
    dist_info = f"{NAME}-{version}.dist-info"
    record = []
    partial = wheel + ".partial"
    with zipfile.ZipFile(partial, "w") as archive:
        entry(archive, f"{NAME}-{version}.data/scripts/lambda-sim", binary, 0o755, record)
        entry(archive, f"{dist_info}/METADATA", METADATA.format(version=version).encode(), 0o644, record)
        entry(archive, f"{dist_info}/WHEEL", WHEEL.format(tag=tag).encode(), 0o644, record)
        record.append(f"{dist_info}/RECORD,,")
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", DATE)
        info.external_attr = 0o100644 << 16
        archive.writestr(info, "\n".join(record) + "\n")
    os.replace(partial, wheel)
    print(wheel)


if __name__ == "__main__":
    main()
