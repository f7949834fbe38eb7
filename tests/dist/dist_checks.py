# SPDX-License-Identifier: MIT
"""Pure checks of a release dist/ folder (stdlib only, no processes): used by smoke.py, tested by
test_dist_checks.py.

- PLATFORMS: the five release targets, their file names and what `file` must say about them.
- inspect_binary(): format, CPU and linkage read from the ELF / Mach-O / PE headers: ELF PT_INTERP and DT_NEEDED,
  Mach-O dylib load commands and minimum macOS, PE imported and delay-loaded DLLs.
- binary_problems() / file_output_problems(): a binary against its platform's expectations.
- linkage_problems() / linkage_summary(): what a binary needs at run time, against what every supported system
  ships: Linux nothing (fully static), macOS only /usr/lib and /System/Library dylibs and a minimum of
  MACOS_BASELINE or older, Windows only the system DLLs of WINDOWS_SYSTEM_DLLS and api-ms-win-* / ext-ms-win-*.
- parse_checksums() / checksum_problems(): dist/checksums.txt (sha256sum format) against the files.
- load_manifest() / manifest_problems(): the rendered provider.yaml (PyYAML, else a small subset parser).
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from dataclasses import dataclass, field

BINARY_VAR = "DOKPLOY_PROVIDER"
VERSION_LINE = re.compile(r"^dokploy-provider (\S+) \(commit (\S+)\)$")


@dataclass(frozen=True)
class Platform:
    """One release target: os/arch as DevPod names them, and what its binary must be."""

    name: str
    os: str
    arch: str
    file_name: str
    file_pattern: str  # regex `file -b` output must match (format and CPU)
    container: str     # "elf", "macho" or "pe"
    machine: int       # ELF e_machine, Mach-O cputype or PE Machine


PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    Platform("linux-amd64", "linux", "amd64", "dokploy-provider-linux-amd64",
             r"^ELF 64-bit LSB (pie )?executable, x86-64\b", "elf", 62),
    Platform("linux-arm64", "linux", "arm64", "dokploy-provider-linux-arm64",
             r"^ELF 64-bit LSB (pie )?executable, ARM aarch64\b", "elf", 183),
    Platform("darwin-amd64", "darwin", "amd64", "dokploy-provider-darwin-amd64",
             r"^Mach-O 64-bit (x86_64 executable|executable x86_64)", "macho", 0x01000007),
    Platform("darwin-arm64", "darwin", "arm64", "dokploy-provider-darwin-arm64",
             r"^Mach-O 64-bit (arm64 executable|executable arm64)", "macho", 0x0100000C),
    Platform("windows-amd64", "windows", "amd64", "dokploy-provider-windows-amd64.exe",
             r"^PE32\+ executable \(console\) x86-64", "pe", 0x8664),
)}
AGENT_PLATFORMS = ("linux-amd64", "linux-arm64")

MACOS_BASELINE = "11.0"  # the oldest macOS the release supports (toolchains/darwin-*.cmake: zig's *-macos.11.0)
MACOS_SYSTEM_PREFIXES = ("/usr/lib/", "/System/Library/")
WINDOWS_SYSTEM_DLLS = frozenset(name + ".dll" for name in (
    "kernel32", "user32", "advapi32", "ws2_32", "crypt32", "bcrypt", "secur32", "ncrypt", "iphlpapi", "normaliz",
    "wldap32", "shell32", "ole32", "oleaut32", "ntdll", "msvcrt", "ucrtbase", "userenv", "dbghelp", "rpcrt4",
    "shlwapi", "version", "gdi32", "mswsock", "dnsapi"))


@dataclass
class BinaryInfo:
    """What the headers say. `interpreter`/`needed` (DT_NEEDED count) are ELF-only; `libraries` are a Mach-O's
    dylibs or a PE's imported, then delay-loaded, DLLs in header order; `min_os` is a Mach-O's minimum macOS
    ("11.0"); `subsystem` is PE-only (3 = console)."""

    container: str | None = None
    machine: int | None = None
    bits: int | None = None
    executable: bool = False
    interpreter: str | None = None
    needed: int = 0
    subsystem: int | None = None
    libraries: list[str] = field(default_factory=list)
    min_os: str | None = None
    error: str | None = None


def inspect_binary(data: bytes) -> BinaryInfo:
    """Reads the headers of an ELF, Mach-O (thin, 64-bit) or PE image; `error` says what is wrong."""
    try:
        if data[:4] == b"\x7fELF":
            return _inspect_elf(data)
        if data[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
            return _inspect_macho(data)
        if data[:2] == b"MZ":
            return _inspect_pe(data)
    except (struct.error, IndexError, ValueError) as exc:
        return BinaryInfo(error=f"truncated or corrupt headers ({exc})")
    return BinaryInfo(error=f"not an executable image (starts with {data[:8]!r})")


def _inspect_elf(data: bytes) -> BinaryInfo:
    info = BinaryInfo(container="elf", bits=64 if data[4] == 2 else 32)
    if info.bits != 64 or data[5] != 1:
        info.error = "not a 64-bit little-endian ELF"
        return info
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    info.machine = e_machine
    info.executable = e_type in (2, 3)  # ET_EXEC, ET_DYN (PIE)
    (e_phoff,) = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    for index in range(e_phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, e_phoff + index * e_phentsize)
        if p_type == 3:  # PT_INTERP
            info.interpreter = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode(errors="replace")
        elif p_type == 2:  # PT_DYNAMIC: count the DT_NEEDED entries
            for entry in range(p_filesz // 16):
                (d_tag,) = struct.unpack_from("<q", data, p_offset + entry * 16)
                if d_tag == 0:
                    break
                info.needed += d_tag == 1
    return info


def _inspect_macho(data: bytes) -> BinaryInfo:
    if data[:4] == b"\xca\xfe\xba\xbe":
        return BinaryInfo(container="macho", error="a universal (fat) Mach-O, expected a thin one per arch")
    if data[:4] == b"\xce\xfa\xed\xfe":
        return BinaryInfo(container="macho", bits=32, error="a 32-bit Mach-O")
    cputype, _, filetype, ncmds, sizeofcmds = struct.unpack_from("<iiIII", data, 4)
    info = BinaryInfo(container="macho", bits=64, machine=cputype & 0xFFFFFFFF, executable=filetype == 2)
    offset, end = 32, 32 + sizeofcmds  # the load commands follow the 32-byte mach_header_64
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from("<II", data, offset)
        if cmdsize < 8 or offset + cmdsize > end:
            raise ValueError(f"load command {cmd:#x} at {offset} runs past the load commands")
        _macho_command(data, offset, cmd, cmdsize, info)
        offset += cmdsize
    return info


_MACHO_DYLIB_COMMANDS = (0xC, 0x80000018, 0x8000001F, 0x20, 0x80000023)  # LOAD, LOAD_WEAK, REEXPORT, LAZY, UPWARD
_LC_BUILD_VERSION, _LC_VERSION_MIN_MACOSX, _PLATFORM_MACOS = 0x32, 0x24, 1


def _macho_command(data: bytes, offset: int, cmd: int, cmdsize: int, info: BinaryInfo) -> None:
    """Records one load command's dylib name or minimum macOS version in `info`."""
    if cmd in _MACHO_DYLIB_COMMANDS:
        (name_offset,) = struct.unpack_from("<I", data, offset + 8)
        info.libraries.append(_c_string(data, offset + name_offset, offset + cmdsize))
    elif cmd == _LC_BUILD_VERSION:
        platform, minos = struct.unpack_from("<II", data, offset + 8)
        if platform == _PLATFORM_MACOS:
            info.min_os = _macho_version(minos)
    elif cmd == _LC_VERSION_MIN_MACOSX:
        info.min_os = _macho_version(struct.unpack_from("<I", data, offset + 8)[0])


def _macho_version(value: int) -> str:
    """major << 16 | minor << 8 | patch -> "11.0", or "10.15.4" when there is a patch."""
    major, minor, patch = value >> 16, (value >> 8) & 0xFF, value & 0xFF
    return f"{major}.{minor}" + (f".{patch}" if patch else "")


def _c_string(data: bytes, start: int, limit: int) -> str:
    """The NUL-terminated string at data[start:], which must end before `limit`."""
    end = data.find(b"\0", start, limit)
    if start >= limit or end < 0:
        raise ValueError(f"no NUL-terminated name at {start}")
    return data[start:end].decode(errors="replace")


def _inspect_pe(data: bytes) -> BinaryInfo:
    (offset,) = struct.unpack_from("<I", data, 0x3C)
    if data[offset:offset + 4] != b"PE\0\0":
        return BinaryInfo(container="pe", error="MZ header without a PE signature")
    machine, sections, _, _, _, optional_size, characteristics = struct.unpack_from("<HHIIIHH", data, offset + 4)
    optional = offset + 24
    (magic,) = struct.unpack_from("<H", data, optional)
    info = BinaryInfo(container="pe", machine=machine, bits=64 if magic == 0x20B else 32,
                      executable=bool(characteristics & 0x0002) and not characteristics & 0x2000)
    if optional_size >= 70:
        (info.subsystem,) = struct.unpack_from("<H", data, optional + 68)
    image = _PeImage(data, optional, optional_size, sections, info.bits)
    info.libraries = image.dll_names(_PE_IMPORT, 20, 12) + image.dll_names(_PE_DELAY_IMPORT, 32, 4)
    return info


_PE_IMPORT, _PE_DELAY_IMPORT = 1, 13  # data directory entries


class _PeImage:
    """A PE image's data directories and section table: enough to read the DLL names of its import tables."""

    def __init__(self, data: bytes, optional: int, optional_size: int, sections: int, bits: int) -> None:
        self.data = data
        self.directories = optional + (112 if bits == 64 else 96)  # NumberOfRvaAndSizes is the u32 before them
        count = struct.unpack_from("<I", data, self.directories - 4)[0] if optional_size >= 96 else 0
        self.count = min(count, (optional + optional_size - self.directories) // 8)
        (self.image_base,) = struct.unpack_from("<Q", data, optional + 24) if bits == 64 else \
            struct.unpack_from("<I", data, optional + 28)
        self.section_table, self.sections = optional + optional_size, sections

    def directory(self, entry: int) -> int:
        """The RVA of a data directory entry, 0 when absent."""
        return struct.unpack_from("<I", self.data, self.directories + entry * 8)[0] if entry < self.count else 0

    def file_offset(self, rva: int) -> int:
        """An RVA as a file offset, through the 40-byte section headers (Name[8], VirtualSize, VirtualAddress,
        SizeOfRawData, PointerToRawData, ...)."""
        for index in range(self.sections):
            size, address, raw_size, raw_pointer = struct.unpack_from("<IIII", self.data,
                                                                      self.section_table + index * 40 + 8)
            if address <= rva < address + max(size, raw_size):
                return raw_pointer + rva - address
        raise ValueError(f"RVA {rva:#x} is in no section")

    def dll_names(self, entry: int, descriptor_size: int, name_at: int) -> list[str]:
        """The DLL names of the import (20-byte descriptors, Name RVA at +12) or delay-load (32-byte descriptors,
        DllNameRVA at +4) directory, up to the all-zero descriptor."""
        rva = self.directory(entry)
        if not rva:
            return []
        names, offset = [], self.file_offset(rva)
        while True:
            descriptor = self.data[offset:offset + descriptor_size]
            if len(descriptor) < descriptor_size:
                raise ValueError(f"data directory {entry} has no all-zero descriptor")
            if not any(descriptor):
                break
            (name,) = struct.unpack_from("<I", descriptor, name_at)
            if entry == _PE_DELAY_IMPORT and not descriptor[0] & 1 and name >= self.image_base:
                name -= self.image_base  # an old-style delay-load descriptor (attribute bit 0 clear) holds VAs
            names.append(_c_string(self.data, self.file_offset(name), len(self.data)))
            offset += descriptor_size
        return names


def binary_problems(platform: Platform, info: BinaryInfo) -> list[str]:
    """Differences between a binary's headers and its platform (format, 64-bit, CPU, executable, console)."""
    if info.error:
        return [info.error]
    problems = []
    if info.container != platform.container:
        problems.append(f"is {_CONTAINER_NAMES.get(info.container, info.container)}, "
                        f"expected {_CONTAINER_NAMES[platform.container]}")
        return problems
    if info.bits != 64:
        problems.append(f"is {info.bits}-bit, expected 64-bit")
    if info.machine != platform.machine:
        problems.append(f"CPU type is {_machine_name(info.container, info.machine)}, expected "
                        f"{_machine_name(platform.container, platform.machine)}")
    if not info.executable:
        problems.append("is not an executable (a library or object file?)")
    if platform.container == "pe" and info.subsystem != 3:
        problems.append(f"PE subsystem is {info.subsystem} (2 = GUI), expected 3 (console): no stdout")
    return problems


def static_problems(info: BinaryInfo) -> list[str]:
    """Why an ELF is not fully static: a PT_INTERP (dynamic loader) or DT_NEEDED shared libraries."""
    problems = []
    if info.interpreter:
        problems.append(f"has an ELF interpreter ({info.interpreter}): dynamically linked")
    if info.needed:
        problems.append(f"needs {info.needed} shared libraries (DT_NEEDED)")
    return problems


def linkage_problems(platform: Platform, info: BinaryInfo) -> list[str]:
    """What the binary needs at run time that a stock system of its platform may lack. ELF: static_problems().
    Mach-O: dylibs outside /usr/lib and /System/Library, a minimum macOS above MACOS_BASELINE (or none). PE: DLLs
    outside WINDOWS_SYSTEM_DLLS and the api-ms-win-* / ext-ms-win-* API sets."""
    if info.error or info.container != platform.container:
        return binary_problems(platform, info)[:1]
    if info.container == "elf":
        return static_problems(info)
    if info.container == "macho":
        return _macos_problems(info)
    return [f"imports {name}, which Windows does not ship: link it statically"
            for name in info.libraries if not _windows_system_dll(name)]


def linkage_summary(info: BinaryInfo) -> str:
    """What a binary that passed linkage_problems() needs, in a few words."""
    if info.container == "elf":
        return "static: no ELF interpreter, no shared libraries"
    if info.container == "macho":
        names = [name.rsplit("/", 1)[-1] for name in info.libraries]
        if len(names) == 1:
            return f"{names[0]} only, macOS {info.min_os}+"
        return f"system libraries only: {', '.join(names) or 'none'}; macOS {info.min_os}+"
    return f"system DLLs only: {', '.join(info.libraries)}" if info.libraries else "no DLL imports"


def _macos_problems(info: BinaryInfo) -> list[str]:
    problems = [f"links {name}, which macOS does not ship" for name in info.libraries
                if not name.startswith(MACOS_SYSTEM_PREFIXES)]
    if info.min_os is None:
        problems.append("declares no minimum macOS version (no LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX)")
    elif _version_key(info.min_os) > _version_key(MACOS_BASELINE):
        problems.append(f"needs macOS {info.min_os} or later, newer than the supported {MACOS_BASELINE}")
    return problems


def _windows_system_dll(name: str) -> bool:
    lower = name.lower()
    return lower in WINDOWS_SYSTEM_DLLS or lower.startswith(("api-ms-win-", "ext-ms-win-"))


def _version_key(version: str) -> tuple[int, ...]:
    """A dotted version as a tuple that compares numerically: 10.15 -> (10, 15, 0)."""
    parts = tuple(int(part) for part in version.split("."))
    return parts + (0,) * (3 - len(parts))


def file_output_problems(platform: Platform, output: str) -> list[str]:
    """`file -b` output against the platform's format and CPU pattern."""
    if re.search(platform.file_pattern, output.strip()):
        return []
    return [f"`file` says {output.strip()!r}; expected to match /{platform.file_pattern}/"]


def file_static_problems(output: str) -> list[str]:
    """`file -b` output of a Linux binary must say 'statically linked' (or 'static-pie linked')."""
    if re.search(r"\b(statically|static-pie) linked\b", output):
        return []
    return [f"`file` does not say 'statically linked': {output.strip()!r}"]


_CONTAINER_NAMES = {"elf": "an ELF (Linux) binary", "macho": "a Mach-O (macOS) binary", "pe": "a PE (Windows) binary"}
_MACHINES = {("elf", 62): "x86-64", ("elf", 183): "aarch64", ("elf", 40): "arm", ("elf", 3): "i386",
             ("macho", 0x01000007): "x86_64", ("macho", 0x0100000C): "arm64",
             ("pe", 0x8664): "x86-64", ("pe", 0xAA64): "arm64", ("pe", 0x14C): "i386"}


def _machine_name(container: str | None, machine: int | None) -> str:
    return _MACHINES.get((container, machine), f"{machine:#x}" if machine is not None else "unknown")


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_checksums(text: str) -> tuple[dict[str, str], list[str]]:
    """sha256sum output ("HEX  NAME" or "HEX *NAME") -> ({name: hex}, problems)."""
    entries, problems = {}, []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line.rstrip("\r"))
        if not match:
            problems.append(f"checksums.txt line {number} is not 'SHA256  NAME': {line!r}")
            continue
        name = match.group(2).removeprefix("./")
        if "/" in name or "\\" in name:
            problems.append(f"checksums.txt line {number} names {name!r}: use bare file names, so that "
                            "`sha256sum -c checksums.txt` works beside the downloaded files")
        if name in entries:
            problems.append(f"checksums.txt lists {name} twice")
        entries[name] = match.group(1)
    if not entries and not problems:
        problems.append("checksums.txt is empty")
    return entries, problems


def checksum_problems(entries: dict[str, str], actual: dict[str, str | None], binaries: list[str]) -> list[str]:
    """entries (from checksums.txt) against actual {name: sha256 or None when missing}; every file in
    `binaries` that exists must be listed."""
    problems = []
    for name, expected in sorted(entries.items()):
        digest = actual.get(name)
        if digest is None:
            problems.append(f"checksums.txt lists {name}, which is not in dist/")
        elif digest != expected:
            problems.append(f"checksums.txt says {name} is {expected[:12]}..., the file is {digest[:12]}...")
    for name in binaries:
        if actual.get(name) is not None and name not in entries:
            problems.append(f"{name} is not listed in checksums.txt")
    return problems


def load_manifest(text: str) -> tuple[object, str]:
    """Parses provider.yaml with PyYAML when importable, else with parse_simple_yaml(); returns (value, parser)."""
    try:
        import yaml  # noqa: PLC0415 (optional: absent on a bare macOS/Windows Python)
    except ImportError:
        return parse_simple_yaml(text), "built-in subset parser"
    return yaml.safe_load(text), "PyYAML"


def manifest_problems(manifest, actual: dict[str, str | None], version: str | None) -> list[str]:
    """The rendered provider.yaml: version, the five binaries (URL ending in the file name, checksum equal to
    the file's sha256 when the file exists in `actual`), and linux amd64+arm64 as agent binaries."""
    if not isinstance(manifest, dict):
        return ["provider.yaml is not a mapping"]
    problems = []
    manifest_version = str(manifest.get("version", ""))
    if not re.fullmatch(r"v\d+\.\d+\.\d+\S*", manifest_version):
        problems.append(f"version is {manifest_version!r}, expected v<semver> (unrendered template?)")
    elif version is not None and manifest_version != "v" + version:
        problems.append(f"version is {manifest_version}, expected v{version}")
    binaries = _entries(manifest.get("binaries"), "binaries", problems)
    problems += _entry_problems("binaries", binaries, list(PLATFORMS), actual, manifest_version)
    agent = manifest.get("agent") if isinstance(manifest.get("agent"), dict) else {}
    agent_binaries = _entries(agent.get("binaries"), "agent.binaries", problems)
    problems += _entry_problems("agent.binaries", agent_binaries, list(AGENT_PLATFORMS), actual, manifest_version)
    return problems


def _entries(section, where: str, problems: list[str]) -> list:
    if not isinstance(section, dict) or not isinstance(section.get(BINARY_VAR), list):
        problems.append(f"{where}.{BINARY_VAR} is missing or not a list")
        return []
    return section[BINARY_VAR]


def _entry_problems(where: str, entries: list, expected: list[str], actual: dict[str, str | None],
                    manifest_version: str) -> list[str]:
    problems, seen = [], []
    by_os_arch = {(p.os, p.arch): p for p in PLATFORMS.values()}
    for entry in entries:
        if not isinstance(entry, dict):
            problems.append(f"{where}: entry {entry!r} is not a mapping")
            continue
        key = (str(entry.get("os")), str(entry.get("arch")))
        platform = by_os_arch.get(key)
        if platform is None or platform.name not in expected:
            problems.append(f"{where}: unexpected entry for {key[0]}/{key[1]}")
            continue
        seen.append(platform.name)
        path, checksum = str(entry.get("path", "")), str(entry.get("checksum", ""))
        if not path.startswith("https://") or not path.endswith("/" + platform.file_name):
            problems.append(f"{where} {platform.name}: path {path!r} is not an https URL ending in "
                            f"/{platform.file_name}")
        tag = re.search(r"/releases/download/([^/]+)/", path)
        if tag and tag.group(1) != manifest_version:
            problems.append(f"{where} {platform.name}: URL points at release {tag.group(1)}, "
                            f"the manifest is {manifest_version}")
        if not re.fullmatch(r"[0-9a-f]{64}", checksum):
            problems.append(f"{where} {platform.name}: checksum {checksum!r} is not plain lowercase hex SHA-256")
        elif actual.get(platform.file_name) not in (None, checksum):
            problems.append(f"{where} {platform.name}: checksum {checksum[:12]}... differs from "
                            f"{platform.file_name}'s {actual[platform.file_name][:12]}...")
    for name in expected:
        count = seen.count(name)
        if count != 1:
            problems.append(f"{where}: {PLATFORMS[name].os}/{PLATFORMS[name].arch} is listed {count} times, "
                            "expected once")
    return problems


def parse_version_output(stdout: str) -> str | None:
    """The version from `dokploy-provider version`'s first line, or None if it is not in that shape."""
    lines = stdout.strip().splitlines()
    match = VERSION_LINE.match(lines[0].strip()) if lines else None
    return match.group(1) if match else None


def parse_simple_yaml(text: str):
    """A YAML subset, enough for provider.yaml when PyYAML is absent: block mappings and sequences, plain and
    quoted scalars, one-line flow sequences, block scalars (| |- >), comments. Scalars stay strings."""
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip(), raw) for raw in text.splitlines()]
    value, _ = _parse_block(lines, 0, 0)
    return value


def _skip_blank(lines, i):
    while i < len(lines) and (not lines[i][1] or lines[i][1].startswith("#")):
        i += 1
    return i


def _parse_block(lines, i, min_indent):
    i = _skip_blank(lines, i)
    if i >= len(lines) or lines[i][0] < min_indent:
        return None, i
    indent, content, _ = lines[i]
    if content == "-" or content.startswith("- "):
        return _parse_sequence(lines, i, indent)
    return _parse_mapping(lines, i, indent)


def _parse_sequence(lines, i, indent):
    items = []
    while True:
        i = _skip_blank(lines, i)
        if i >= len(lines) or lines[i][0] != indent or not (lines[i][1] == "-" or lines[i][1].startswith("- ")):
            return items, i
        rest = lines[i][1][1:].lstrip()
        if not rest:
            value, i = _parse_block(lines, i + 1, indent + 1)
        elif _split_key(rest) is not None:
            item_indent = indent + len(lines[i][1]) - len(rest)
            lines[i] = (item_indent, rest, lines[i][2])  # "- key: v" opens a mapping at the key's column
            value, i = _parse_mapping(lines, i, item_indent)
        else:
            value, i = _scalar(rest), i + 1
        items.append(value)


def _parse_mapping(lines, i, indent):
    mapping = {}
    while True:
        i = _skip_blank(lines, i)
        if i >= len(lines) or lines[i][0] != indent or lines[i][1].startswith("- ") or lines[i][1] == "-":
            return mapping, i
        split = _split_key(lines[i][1])
        if split is None:
            raise ValueError(f"line {i + 1}: expected 'key: value', got {lines[i][1]!r}")
        key, rest = split
        if rest[:1] in ("|", ">"):
            mapping[key], i = _block_scalar(lines, i + 1, indent, rest)
        elif rest:
            mapping[key], i = _scalar(rest), i + 1
        else:
            j = _skip_blank(lines, i + 1)
            sequence_here = j < len(lines) and lines[j][0] == indent and (lines[j][1] + " ").startswith("- ")
            mapping[key], i = _parse_block(lines, i + 1, indent if sequence_here else indent + 1)


def _split_key(content: str):
    match = re.match(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^"'#\s][^:#]*?)\s*:(?:\s+(.*))?$""", content)
    if not match:
        return None
    return _scalar(match.group(1)), (match.group(2) or "").strip()


def _block_scalar(lines, i, indent, header):
    body = []
    while i < len(lines) and (not lines[i][1] or lines[i][0] > indent):
        body.append(lines[i][2])
        i += 1
    while body and not body[-1].strip():
        body.pop()
    strip = min((len(line) - len(line.lstrip(" ")) for line in body if line.strip()), default=0)
    text = "\n".join(line[strip:] for line in body)
    if header.startswith(">"):
        text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)
    return text + ("" if "-" in header else "\n"), i


def _scalar(text: str):
    text = text.strip()
    if text.startswith('"'):
        end = re.match(r'"(?:[^"\\]|\\.)*"', text)
        return json.loads(end.group(0)) if end else text
    if text.startswith("'"):
        end = re.match(r"'(?:[^']|'')*'", text)
        return end.group(0)[1:-1].replace("''", "'") if end else text
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [_scalar(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^,]+', inner)] if inner else []
    return re.sub(r"\s+#.*$", "", text)
