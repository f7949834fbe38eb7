# SPDX-License-Identifier: MIT
"""dist_checks.py on synthetic headers, checksum files and manifests rendered by cmake/RenderProvider.cmake,
and smoke.py end to end on the dev binary (which is dynamically linked: the linkage check must fail)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import dist_checks as dc  # noqa: E402
import smoke_support  # noqa: E402

try:
    import yaml
except ImportError:  # the subset parser is then compared with nothing
    yaml = None


def elf(machine: int = 62, interpreter: bytes | None = None, needed: int = 0) -> bytes:
    """A minimal ELF64 executable header with PT_INTERP / PT_DYNAMIC program headers as asked."""
    segments = []
    if interpreter is not None:
        segments.append((3, interpreter + b"\0"))
    if needed:
        segments.append((2, b"".join(struct.pack("<qQ", 1, i) for i in range(needed)) + struct.pack("<qQ", 0, 0)))
    header = bytearray(64)
    header[:7] = b"\x7fELF\x02\x01\x01"
    struct.pack_into("<HHI", header, 16, 2, machine, 1)
    struct.pack_into("<Q", header, 32, 64)
    struct.pack_into("<HHH", header, 52, 64, 56, len(segments))
    tables, blobs, offset = b"", b"", 64 + 56 * len(segments)
    for p_type, blob in segments:
        tables += struct.pack("<IIQQQQQQ", p_type, 4, offset + len(blobs), 0, 0, len(blob), len(blob), 1)
        blobs += blob
    return bytes(header) + tables + blobs


LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB = 0xC, 0x80000018, 0x8000001F
LIBSYSTEM = "/usr/lib/libSystem.B.dylib"


def macos(major: int, minor: int = 0, patch: int = 0) -> int:
    """A Mach-O version field: major << 16 | minor << 8 | patch."""
    return major << 16 | minor << 8 | patch


def macho(cputype: int, filetype: int = 2, dylibs: tuple = (), minos: int | None = None,
          version_min: int | None = None) -> bytes:
    """A mach_header_64 with load commands: one dylib_command per entry of `dylibs` (a path for LC_LOAD_DYLIB, or
    (cmd, path)), LC_BUILD_VERSION (platform macOS) when `minos` is given, LC_VERSION_MIN_MACOSX for
    `version_min`."""
    commands = [struct.pack("<II", 0x19, 72) + bytes(64)]  # an LC_SEGMENT_64, to be skipped
    for dylib in dylibs:
        cmd, name = dylib if isinstance(dylib, tuple) else (LC_LOAD_DYLIB, dylib)
        size = (24 + len(name) + 1 + 7) // 8 * 8
        header = struct.pack("<IIIIII", cmd, size, 24, 2, macos(1292), macos(1))  # name at +24, NUL-padded
        commands.append(header + name.encode().ljust(size - 24, b"\0"))
    if minos is not None:
        commands.append(struct.pack("<IIIIII", 0x32, 24, 1, minos, minos, 0))
    if version_min is not None:
        commands.append(struct.pack("<IIII", 0x24, 16, version_min, version_min))
    body = b"".join(commands)
    return b"\xcf\xfa\xed\xfe" + struct.pack("<iiIIIII", cputype, 0, filetype, len(commands), len(body), 0, 0) + body


def pe(machine: int = 0x8664, subsystem: int = 3, characteristics: int = 0x0022, imports: tuple[str, ...] = (),
       delay_imports: tuple[str, ...] = ()) -> bytes:
    """A PE32+ header with 16 data directories and two sections: .text (RVA 0x1000, file 0x200) and .idata
    (RVA 0x3000, file 0x400) holding the import descriptors, the delay-load descriptors and the DLL names."""
    data = bytearray(0x400)
    data[:2] = b"MZ"
    struct.pack_into("<I", data, 0x3C, 0x80)
    data[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", data, 0x84, machine, 2, 0, 0, 0, 240, characteristics)
    optional = 0x98
    struct.pack_into("<H", data, optional, 0x20B)
    struct.pack_into("<Q", data, optional + 24, 0x140000000)  # ImageBase
    struct.pack_into("<H", data, optional + 68, subsystem)
    struct.pack_into("<I", data, optional + 108, 16)  # NumberOfRvaAndSizes
    idata, rva = _import_section(imports, delay_imports, 0x3000)
    if imports:
        struct.pack_into("<II", data, optional + 112 + 8, rva, 20 * (len(imports) + 1))
    if delay_imports:
        struct.pack_into("<II", data, optional + 112 + 13 * 8, rva + 20 * (len(imports) + 1),
                         32 * (len(delay_imports) + 1))
    sections = optional + 240
    struct.pack_into("<8sIIII", data, sections, b".text", 0x180, 0x1000, 0x200, 0x200)
    struct.pack_into("<8sIIII", data, sections + 40, b".idata", len(idata), 0x3000, len(idata), 0x400)
    return bytes(data) + idata


def _import_section(imports: tuple[str, ...], delay_imports: tuple[str, ...], rva: int) -> tuple[bytes, int]:
    """Import descriptors (Name RVA at +12), an all-zero one, delay-load descriptors (attributes 1, DllNameRVA at
    +4), an all-zero one, then the names."""
    names_at = rva + 20 * (len(imports) + 1) + 32 * (len(delay_imports) + 1)
    names, descriptors = b"", b""
    for name in imports:
        descriptors += struct.pack("<IIIII", rva + 0x800, 0, 0, names_at + len(names), rva + 0x900)
        names += name.encode() + b"\0"
    descriptors += bytes(20)
    for name in delay_imports:
        descriptors += struct.pack("<IIIIIIII", 1, names_at + len(names), rva + 0xA00, rva + 0xB00, rva + 0xC00, 0, 0,
                                   0)
        names += name.encode() + b"\0"
    return descriptors + bytes(32) + names, rva


class HeaderTest(unittest.TestCase):
    def problems(self, platform: str, data: bytes) -> list[str]:
        return dc.binary_problems(dc.PLATFORMS[platform], dc.inspect_binary(data))

    def test_static_elf_of_each_linux_arch(self):
        self.assertEqual(self.problems("linux-amd64", elf(62)), [])
        self.assertEqual(self.problems("linux-arm64", elf(183)), [])
        self.assertEqual(dc.static_problems(dc.inspect_binary(elf(183))), [])

    def test_wrong_cpu_and_wrong_format_are_named(self):
        [problem] = self.problems("linux-amd64", elf(183))
        self.assertIn("aarch64", problem)
        self.assertIn("x86-64", problem)
        [problem] = self.problems("linux-arm64", macho(0x0100000C))
        self.assertIn("Mach-O", problem)
        self.assertIn("not an executable image", self.problems("windows-amd64", b"#!/bin/sh\n")[0])
        self.assertIn("truncated", self.problems("linux-amd64", b"\x7fELF\x02\x01")[0])

    def test_dynamic_elf_is_not_static(self):
        info = dc.inspect_binary(elf(62, b"/lib/ld-musl-x86_64.so.1", needed=2))
        problems = dc.static_problems(info)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("/lib/ld-musl-x86_64.so.1", problems[0])
        self.assertIn("2 shared libraries", problems[1])
        # static-pie: PT_DYNAMIC without DT_NEEDED and no interpreter is still static
        self.assertEqual(dc.static_problems(dc.inspect_binary(elf(62, needed=0))), [])

    def test_macho_arches(self):
        self.assertEqual(self.problems("darwin-arm64", macho(0x0100000C)), [])
        self.assertEqual(self.problems("darwin-amd64", macho(0x01000007)), [])
        self.assertIn("arm64", self.problems("darwin-amd64", macho(0x0100000C))[0])
        self.assertIn("not an executable", self.problems("darwin-arm64", macho(0x0100000C, filetype=6))[0])
        self.assertIn("universal", self.problems("darwin-arm64", b"\xca\xfe\xba\xbe" + bytes(28))[0])

    def test_pe_must_be_a_64_bit_console_executable(self):
        self.assertEqual(self.problems("windows-amd64", pe()), [])
        self.assertIn("console", self.problems("windows-amd64", pe(subsystem=2))[0])
        self.assertIn("i386", self.problems("windows-amd64", pe(machine=0x14C))[0])
        self.assertIn("not an executable", self.problems("windows-amd64", pe(characteristics=0x2022))[0])

    def test_truncated_load_commands_and_import_tables(self):
        data = bytearray(macho(0x0100000C, dylibs=(LIBSYSTEM,), minos=macos(11)))
        struct.pack_into("<I", data, 20, 72 + 30)  # sizeofcmds ends inside the dylib command
        self.assertIn("truncated or corrupt", self.problems("darwin-arm64", bytes(data))[0])
        data = bytearray(pe(imports=("KERNEL32.dll",)))
        struct.pack_into("<I", data, 0x98 + 120, 0x9000)  # the import directory's RVA is in no section
        self.assertIn("RVA 0x9000 is in no section", self.problems("windows-amd64", bytes(data))[0])

    def test_file_outputs(self):
        samples = {
            "linux-amd64": "ELF 64-bit LSB executable, x86-64, version 1 (SYSV), statically linked, stripped",
            "linux-arm64": "ELF 64-bit LSB pie executable, ARM aarch64, version 1 (SYSV), static-pie linked",
            "darwin-amd64": "Mach-O 64-bit x86_64 executable, flags:<NOUNDEFS|DYLDLINK|TWOLEVEL|PIE>",
            "darwin-arm64": "Mach-O 64-bit executable arm64",  # macOS's own file(1) words it this way
            "windows-amd64": "PE32+ executable (console) x86-64, for MS Windows, 6 sections",
        }
        for name, output in samples.items():
            with self.subTest(name=name):
                self.assertEqual(dc.file_output_problems(dc.PLATFORMS[name], output), [])
                other = "linux-arm64" if name != "linux-arm64" else "linux-amd64"
                self.assertEqual(len(dc.file_output_problems(dc.PLATFORMS[other], output)), 1)
        self.assertEqual(dc.file_static_problems(samples["linux-arm64"]), [])
        dynamic = "ELF 64-bit LSB pie executable, x86-64, dynamically linked, interpreter /lib64/ld-linux-x86-64.so.2"
        self.assertEqual(len(dc.file_static_problems(dynamic)), 1)
        self.assertEqual(len(dc.file_output_problems(dc.PLATFORMS["windows-amd64"],
                                                     "PE32+ executable (GUI) x86-64, for MS Windows")), 1)

    def test_version_line(self):
        self.assertEqual(dc.parse_version_output("dokploy-provider 1.2.3 (commit 0123abcd)\nlibcurl 8\n"), "1.2.3")
        self.assertIsNone(dc.parse_version_output("1.2.3\n"))
        self.assertIsNone(dc.parse_version_output(""))


class LinkageTest(unittest.TestCase):
    def linkage(self, platform: str, data: bytes) -> list[str]:
        return dc.linkage_problems(dc.PLATFORMS[platform], dc.inspect_binary(data))

    def test_elf_delegates_to_static_problems(self):
        dynamic = dc.inspect_binary(elf(62, b"/lib64/ld-linux-x86-64.so.2", needed=3))
        self.assertEqual(dc.linkage_problems(dc.PLATFORMS["linux-amd64"], dynamic), dc.static_problems(dynamic))
        self.assertEqual(len(dc.static_problems(dynamic)), 2)
        self.assertEqual(self.linkage("linux-arm64", elf(183)), [])
        self.assertEqual(dc.linkage_summary(dc.inspect_binary(elf(183))),
                         "static: no ELF interpreter, no shared libraries")

    def test_another_format_or_a_corrupt_file_is_one_problem(self):
        [problem] = self.linkage("darwin-arm64", elf(62))
        self.assertIn("is an ELF (Linux) binary, expected a Mach-O", problem)
        [problem] = self.linkage("windows-amd64", b"MZ")
        self.assertIn("truncated", problem)

    def test_clean_macho_passes(self):
        data = macho(0x0100000C, dylibs=(LIBSYSTEM,), minos=macos(11))
        info = dc.inspect_binary(data)
        self.assertEqual((info.libraries, info.min_os, info.error), ([LIBSYSTEM], "11.0", None))
        self.assertEqual(self.linkage("darwin-arm64", data), [])
        self.assertEqual(dc.linkage_summary(info), "libSystem.B.dylib only, macOS 11.0+")
        security = "/System/Library/Frameworks/Security.framework/Versions/A/Security"
        data = macho(0x01000007, dylibs=(LIBSYSTEM, (LC_LOAD_WEAK_DYLIB, security)), minos=macos(10, 15, 4))
        info = dc.inspect_binary(data)
        self.assertEqual((info.libraries, info.min_os), ([LIBSYSTEM, security], "10.15.4"))
        self.assertEqual(self.linkage("darwin-amd64", data), [])
        self.assertEqual(dc.linkage_summary(info), "system libraries only: libSystem.B.dylib, Security; macOS 10.15.4+")

    def test_macho_linking_a_homebrew_dylib_fails_naming_it(self):
        libssh = "/opt/homebrew/lib/libssh.4.dylib"
        data = macho(0x0100000C, dylibs=(LIBSYSTEM, libssh, (LC_REEXPORT_DYLIB, "@rpath/libcurl.4.dylib")),
                     minos=macos(11))
        problems = self.linkage("darwin-arm64", data)
        self.assertEqual(problems, [f"links {libssh}, which macOS does not ship",
                                    "links @rpath/libcurl.4.dylib, which macOS does not ship"])
        self.assertIn("/usr/local/lib/libz.1.dylib",
                      self.linkage("darwin-arm64", macho(0x0100000C, dylibs=("/usr/local/lib/libz.1.dylib",),
                                                         minos=macos(11)))[0])

    def test_macho_minimum_macos(self):
        def problems(**version) -> list[str]:
            return self.linkage("darwin-arm64", macho(0x0100000C, dylibs=(LIBSYSTEM,), **version))

        [newer] = problems(minos=macos(13))
        self.assertIn("needs macOS 13.0 or later, newer than the supported 11.0", newer)
        self.assertEqual(len(problems(minos=macos(11, 1))), 1)
        self.assertEqual(problems(minos=macos(10, 15)), [])  # numerically, not as strings: 10.15 < 11.0
        self.assertEqual(problems(version_min=macos(10, 13)), [])
        self.assertEqual(dc.inspect_binary(macho(0x01000007, version_min=macos(10, 13))).min_os, "10.13")
        [missing] = problems()
        self.assertIn("no minimum macOS version", missing)
        ios = macho(0x0100000C, dylibs=(LIBSYSTEM,), minos=macos(11))
        ios = ios.replace(struct.pack("<III", 0x32, 24, 1), struct.pack("<III", 0x32, 24, 2))  # PLATFORM_IOS
        self.assertIn("no minimum macOS version", self.linkage("darwin-arm64", ios)[0])

    def test_pe_with_system_dlls_passes(self):
        dlls = ("KERNEL32.dll", "WS2_32.dll", "api-ms-win-crt-runtime-l1-1-0.dll")
        info = dc.inspect_binary(pe(imports=dlls, delay_imports=("bcrypt.dll",)))
        self.assertEqual((info.libraries, info.error), ([*dlls, "bcrypt.dll"], None))
        self.assertEqual(dc.linkage_problems(dc.PLATFORMS["windows-amd64"], info), [])
        self.assertEqual(dc.linkage_summary(info), "system DLLs only: KERNEL32.dll, WS2_32.dll, "
                                                   "api-ms-win-crt-runtime-l1-1-0.dll, bcrypt.dll")
        self.assertEqual(self.linkage("windows-amd64", pe(imports=("ext-ms-win-ntuser-window-l1-1-0.dll",
                                                                    "Crypt32.DLL"))), [])
        self.assertEqual(dc.inspect_binary(pe()).libraries, [])
        self.assertEqual(dc.linkage_summary(dc.inspect_binary(pe())), "no DLL imports")

    def test_pe_importing_mingw_runtime_dlls_fails_naming_them(self):
        problems = self.linkage("windows-amd64", pe(imports=("KERNEL32.dll", "libwinpthread-1.dll"),
                                                    delay_imports=("libstdc++-6.dll",)))
        self.assertEqual(problems, ["imports libwinpthread-1.dll, which Windows does not ship: link it statically",
                                    "imports libstdc++-6.dll, which Windows does not ship: link it statically"])
        problems = self.linkage("windows-amd64", pe(imports=("libwinpthread-1.dll", "libstdc++-6.dll")))
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("libwinpthread-1.dll", problems[0])
        self.assertIn("libstdc++-6.dll", problems[1])


class ChecksumTest(unittest.TestCase):
    A, B = "a" * 64, "b" * 64

    def test_sha256sum_format(self):
        entries, problems = dc.parse_checksums(f"{self.A}  one\n{self.B} *two.exe\n\n")
        self.assertEqual((entries, problems), ({"one": self.A, "two.exe": self.B}, []))

    def test_malformed_lines_and_paths(self):
        _, problems = dc.parse_checksums(f"{self.A.upper()}  one\n{self.B}  dist/two\nnot a line\n")
        self.assertEqual(len(problems), 3, problems)
        self.assertIn("bare file names", problems[1])
        self.assertEqual(dc.parse_checksums("")[1], ["checksums.txt is empty"])

    def test_against_the_files(self):
        entries = {"one": self.A, "two": self.B, "gone": self.A}
        actual = {"one": self.A, "two": "c" * 64, "three": self.B}
        problems = dc.checksum_problems(entries, actual, ["one", "three", "four"])
        self.assertEqual(len(problems), 3, problems)
        self.assertIn("gone, which is not in dist/", problems[0])
        self.assertIn("two is bbbbbbbbbbbb..., the file is cccccccccccc...", problems[1])
        self.assertIn("three is not listed", problems[2])


@unittest.skipUnless(shutil.which(os.environ.get("DP_CMAKE", "cmake")), "cmake is needed to render provider.yaml")
class ManifestTest(unittest.TestCase):
    """The manifest as cmake/RenderProvider.cmake renders it for a release, against dist files."""

    URL = "https://github.com/o/r/releases/download/v1.2.3/"

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="dp-dist-test-")
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.actual = {}
        for target in dc.PLATFORMS.values():
            with open(os.path.join(self.folder, target.file_name), "wb") as file:
                file.write(target.name.encode())
            self.actual[target.file_name] = hashlib.sha256(target.name.encode()).hexdigest()

    def render(self, version="1.2.3", url=URL, platforms=tuple(dc.PLATFORMS)) -> str:
        entries = []
        for name in platforms:
            target = dc.PLATFORMS[name]
            file = os.path.join(self.folder, target.file_name)
            entries.append(f"{target.os}/{target.arch}={url}{target.file_name}={file}")
        output = os.path.join(self.folder, "provider.yaml")
        subprocess.run([os.environ.get("DP_CMAKE", "cmake"), "-DTEMPLATE=" + os.path.join(ROOT, "provider.yaml"),
                        "-DOUTPUT=" + output, "-DVERSION=" + version, "-DBINARIES=" + "|".join(entries),
                        "-P", os.path.join(ROOT, "cmake", "RenderProvider.cmake")], check=True, capture_output=True)
        with open(output, encoding="utf-8") as file:
            return file.read()

    def problems(self, text: str, version: str | None = "1.2.3") -> list[str]:
        return dc.manifest_problems(dc.load_manifest(text)[0], self.actual, version)

    def test_a_release_manifest_passes(self):
        self.assertEqual(self.problems(self.render()), [])
        self.assertEqual(dc.manifest_problems(dc.parse_simple_yaml(self.render()), self.actual, "1.2.3"), [])

    @unittest.skipIf(yaml is None, "PyYAML is not installed")
    def test_subset_parser_agrees_with_pyyaml(self):
        text = self.render()
        ours, theirs = dc.parse_simple_yaml(text), yaml.safe_load(text)
        for key in ("name", "version", "binaries", "exec", "optionGroups"):
            self.assertEqual(_strings(ours[key]), _strings(theirs[key]), key)
        self.assertEqual(_strings(ours["agent"]), _strings(theirs["agent"]))
        self.assertEqual(_strings(ours["options"]), _strings(theirs["options"]))

    def test_subset_parser_corner_cases(self):
        text = ("a: 'it''s' # comment\nb: \"x\\\"y\"\nc: [\"1\", 2]\nd:\n- e: f\n  g: h\n- plain\n"
                "i: |\n  line 1\n  line 2\nj: k:l\n")
        self.assertEqual(dc.parse_simple_yaml(text), {
            "a": "it's", "b": 'x"y', "c": ["1", "2"], "d": [{"e": "f", "g": "h"}, "plain"],
            "i": "line 1\nline 2\n", "j": "k:l"})

    def test_wrong_version_missing_platform_and_bad_checksum(self):
        self.assertIn("version is v1.2.4, expected v1.2.3",
                      self.problems(self.render(version="1.2.4"))[0])
        problems = self.problems(self.render(platforms=("linux-amd64", "darwin-arm64", "windows-amd64")))
        self.assertIn("binaries: linux/arm64 is listed 0 times, expected once", problems)
        self.assertIn("agent.binaries: linux/arm64 is listed 0 times, expected once", problems)
        self.actual["dokploy-provider-darwin-arm64"] = "0" * 64
        problems = self.problems(self.render())
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("darwin-arm64: checksum", problems[0])

    def test_urls_must_name_the_file_and_the_release(self):
        problems = self.problems(self.render(url="https://github.com/o/r/releases/download/v9.9.9/"))
        self.assertEqual(len(problems), 7, problems)  # 5 binaries + 2 agent binaries
        self.assertIn("points at release v9.9.9", problems[0])
        problems = self.problems(self.render(url="/home/me/"))
        self.assertIn("is not an https URL", problems[0])

    def test_unrendered_template_is_refused(self):
        with open(os.path.join(ROOT, "provider.yaml"), encoding="utf-8") as file:
            template = file.read().replace("@BINARIES@", "").replace("@AGENT_BINARIES@", "")
        problems = self.problems(template)
        self.assertIn("unrendered template", problems[0])


class LaunchTest(unittest.TestCase):
    def kind(self, name, sys_platform="linux", system="Linux", machine="x86_64", tools=("qemu-aarch64-static",
             "wine", "wineboot", "wineserver")):
        return smoke_support.launch_kind(dc.PLATFORMS[name], sys_platform, system, machine, lambda t: t in tools)[0]

    def test_linux_x86_64_host(self):
        self.assertEqual([self.kind(name) for name in dc.PLATFORMS], ["native", "qemu", None, None, "wine"])
        self.assertEqual(self.kind("linux-arm64", tools=()), "missing")
        self.assertEqual(self.kind("windows-amd64", tools=("wine",)), "missing")

    def test_other_hosts(self):
        self.assertEqual(self.kind("linux-arm64", machine="aarch64"), "native")
        self.assertIsNone(self.kind("linux-amd64", machine="aarch64"))  # no qemu-x86_64 route
        self.assertEqual(self.kind("darwin-arm64", "darwin", "Darwin", "arm64"), "native")
        self.assertIsNone(self.kind("darwin-amd64", "darwin", "Darwin", "arm64"))
        self.assertEqual(self.kind("darwin-amd64", "darwin", "Darwin", "x86_64"), "native")
        self.assertEqual(self.kind("windows-amd64", "win32", "Windows", "AMD64"), "native")
        self.assertIsNone(self.kind("linux-amd64", "win32", "Windows", "AMD64"))

    def test_summary_takes_the_worst_status_per_column(self):
        report = smoke_support.Report()
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            report.record("linux-arm64", "init:ok", "PASS", 0.1)
            report.record("linux-arm64", "init:bad-url", "FAIL", 0.1, "exit 0, expected 2\nstderr: ...")
            report.record("linux-arm64", "file", "PASS", 0.1)
            report.record("dist", "manifest", "SKIP", 0.0, "missing")
        self.assertIn("FAIL  linux-arm64   init:bad-url        0.10s  exit 0, expected 2\n", printed.getvalue())
        summary = report.summary().splitlines()
        self.assertEqual(summary[2].split(), ["platform", "file", "init"])
        self.assertEqual(summary[3].split(), ["linux-arm64", "PASS", "FAIL"])
        self.assertEqual(summary[-1], "smoke: 2 passed, 1 failed, 1 skipped (0.3s in checks)")
        self.assertTrue(report.failed())


@unittest.skipUnless(os.environ.get("DOKPLOY_PROVIDER_BIN"), "DOKPLOY_PROVIDER_BIN is not set (ctest sets it)")
class SmokeScriptTest(unittest.TestCase):
    def test_dev_binary_as_the_host_linux_binary(self):
        name = "linux-arm64" if platform.machine() in ("aarch64", "arm64") else "linux-amd64"
        folder = tempfile.mkdtemp(prefix="dp-dist-smoke-")
        self.addCleanup(shutil.rmtree, folder, True)
        os.symlink(os.environ["DOKPLOY_PROVIDER_BIN"], os.path.join(folder, dc.PLATFORMS[name].file_name))
        result = subprocess.run([sys.executable, os.path.join(HERE, "smoke.py"), "--dist", folder,
                                 "--platform", name, "--no-machine"],
                                capture_output=True, text=True, timeout=120, check=False)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)  # the dev build is dynamic
        lines = result.stdout.splitlines()
        for expected in ("PASS  file", "FAIL  linkage", "PASS  launch", "PASS  version", "PASS  init:ok",
                         "PASS  init:bad-token", "PASS  init:bad-url", "PASS  tls:untrusted", "PASS  tls:ca-file",
                         "PASS  tls:ssl-cert-file", "PASS  tls:joined", "SKIP  machine"):
            status, check = expected.split()
            self.assertTrue(any(line.split()[:3] == [status, name, check] for line in lines),
                            f"{expected!r} for {name} in\n{result.stdout}")
        self.assertIn("smoke: 11 passed, 1 failed, 3 skipped", result.stdout)


def _strings(value):
    """PyYAML's values as the subset parser gives them (scalars as lowercase-bool strings)."""
    if isinstance(value, dict):
        return {str(k): _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    if isinstance(value, bool):
        return str(value).lower()
    return None if value is None else str(value)


if __name__ == "__main__":
    unittest.main()
