#!/usr/bin/env python3
"""docs_check.py MFU ROOT: mfu's --help, its man pages, the README and the bash completion say
the same commands and options. Prints one line per disagreement, each saying what to add
where, and exits 1 if there is any.

- the commands: those `mfu --help` lists; each has a `.SS "mfu NAME ..."` section in
  docs/man/mfu.1 and a "## `mfu NAME`" section in README.md;
- a command's options: those on its `mfu NAME --help` usage lines and at the start of its
  option lines. The shared model, work and peak options (options.c's options_help: the lines
  from "model (" to the end of the "peak:" group) are documented once, in mfu.1's
  "MODEL, WORK AND PEAK OPTIONS"; every other option in the command's own section, as the tag
  of a .TP paragraph, and in its README section (an option of both kinds, sweep's --batch,
  in both places). Options the man page documents that the help
  does not have are reported too (removed or renamed ones);
- the environment: every MFU_* variable that shim/ reads (a string literal of its name) is in libmfushim.7's
  ENVIRONMENT and README.md, every one that analyzer/ reads in mfu.1's ENVIRONMENT.
"""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z0-9-]*)")


def run(mfu, *args):
    return subprocess.run([mfu, *args], capture_output=True, text=True, check=True).stdout


def commands(mfu):
    out = run(mfu, "--help").splitlines()
    start = out.index("commands:") + 1
    names = []
    for line in out[start:]:
        if not line.startswith("  "):
            break
        names.append(line.split()[0])
    return names


def help_options(text):
    """The command's options and the shared ones, from its --help text."""
    lines = text.splitlines()
    own, shared = set(), set()
    group = None
    usage = True
    for line in lines:
        if usage:  # the usage lines, up to the first blank one
            if not line.strip():
                usage = False
                continue
            own.update(o for o in OPTION.findall(line) if o.startswith("--") or len(o) == 2)
            continue
        if re.match(r"^(model \(|work:|formula:|peak:)", line):
            group = "shared"
            continue
        if re.match(r"^\S", line):  # another heading: a command's own group (predict's time:)
            group = "own" if group else None
        m = re.match(r"^ {2,4}((?:-[a-z], )?--?[a-z][^ ]*(?: [A-Z][A-Z\[\]|.=-]*)?"
                     r"(?:, --?[a-z][^ ,]*(?: [A-Z]+)?)*)", line)
        if not m:
            continue
        found = {o for o in OPTION.findall(m.group(1))}
        (shared if group == "shared" else own).update(found)
    return own, shared


def roff_text(s):
    s = re.sub(r"\\f[BIRP]", "", s)
    s = s.replace("\\-", "-").replace("\\(dq", '"').replace("\\e", "\\")
    return s


def man_sections(path):
    """{section title: [lines]} for the .SH and .SS sections of a man page, roff removed."""
    sections, title = {}, None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        m = re.match(r'^\.S[HS] "?(.*?)"?$', line)
        if m:
            title = roff_text(m.group(1))
            sections[title] = []
            continue
        if title is not None:
            sections[title].append(roff_text(line))
    return sections


def tagged_options(lines):
    """The options that tag .TP paragraphs (the line after .TP)."""
    found = set()
    for i, line in enumerate(lines[:-1]):
        if line.strip() == ".TP":
            found.update(OPTION.findall(re.sub(r"^\.[A-Z]+ ", "", lines[i + 1])))
    return found


def readme_sections(path):
    sections, title = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^## `mfu (\w+)`", line)
        if m:
            title = m.group(1)
            sections[title] = ""
        elif line.startswith("## "):
            title = None
        elif title:
            sections[title] += line
    return sections


def getenv_names(root, tree):
    """The variables a tree reads: its string literals that are a whole MFU_* name, as getenv
    and the shim's env_number take them."""
    out = subprocess.run(["grep", "-rhoE", '"MFU_[A-Z0-9_]+"', f"{root}/{tree}"],
                         capture_output=True, text=True).stdout
    return sorted(set(re.findall(r"MFU_[A-Z0-9_]+", out)))


def main():
    mfu, root = sys.argv[1], sys.argv[2]
    problems = []
    man = man_sections(f"{root}/docs/man/mfu.1")
    shim_man = man_sections(f"{root}/docs/man/libmfushim.7")
    readme = readme_sections(f"{root}/README.md")
    readme_all = open(f"{root}/README.md", encoding="utf-8").read()
    shared_man = set()
    for title, lines in man.items():
        if title in ("MODEL, WORK AND PEAK OPTIONS", "Model", "Work", "Formula", "Peak"):
            shared_man |= tagged_options(lines)
    shared_help = set()
    for cmd in commands(mfu):
        own, shared = help_options(run(mfu, cmd, "--help"))
        shared_help |= shared
        section = next((t for t in man if t == f"mfu {cmd}" or t.startswith(f"mfu {cmd} ")), None)
        if section is None:
            problems.append(f"docs/man/mfu.1: no section for `mfu {cmd}`: add "
                            f'.SS "mfu {cmd} ..." under COMMANDS')
            continue
        documented = tagged_options(man[section])
        for o in sorted(own - documented):
            problems.append(f"docs/man/mfu.1: `mfu {cmd} {o}` (in its --help) has no entry: add "
                            f".TP with {o} to the section {section!r}")
        for o in sorted(documented - own - {"--help"}):
            problems.append(f"docs/man/mfu.1: `mfu {cmd} {o}` is documented but `mfu {cmd} "
                            f"--help` does not have it: remove it or add it to the help")
        if cmd not in readme:
            problems.append(f"README.md: no section for `mfu {cmd}`: add a '## `mfu {cmd}`' "
                            "heading with its synopsis")
            continue
        for o in sorted(own):
            if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", readme[cmd]):
                problems.append(f"README.md: `mfu {cmd} {o}` (in its --help) is not in the "
                                f"section '## `mfu {cmd}`': add it, to the synopsis at least")
    for o in sorted(shared_help - shared_man):
        problems.append(f"docs/man/mfu.1: the shared option {o} (options_help) has no entry in "
                        "MODEL, WORK AND PEAK OPTIONS: add .TP with it")
    for o in sorted(shared_man - shared_help):
        problems.append(f"docs/man/mfu.1: the shared option {o} is documented but no command's "
                        "--help has it: remove it")
    for o in sorted(shared_help):
        if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", readme_all):
            problems.append(f"README.md: the shared option {o} is nowhere: add it where the "
                            "model, work and peak options are described (## `mfu predict`)")
    for var in getenv_names(root, "shim"):
        if var not in tagged_options_env(shim_man.get("ENVIRONMENT", [])):
            problems.append(f"docs/man/libmfushim.7: the shim reads {var}, which ENVIRONMENT "
                            "does not describe: add .TP .B " + var)
        if f"`{var}`" not in readme_all:
            problems.append(f"README.md: the shim reads {var}, which the Environment table "
                            "does not list: add a row")
    for var in getenv_names(root, "analyzer"):
        if var not in tagged_options_env(man.get("ENVIRONMENT", [])):
            problems.append(f"docs/man/mfu.1: mfu reads {var}, which ENVIRONMENT does not "
                            "describe: add .TP .B " + var)
    for p in problems:
        print(p)
    return 1 if problems else 0


def tagged_options_env(lines):
    found = set()
    for i, line in enumerate(lines[:-1]):
        if line.strip() == ".TP":
            found.update(re.findall(r"[A-Z][A-Z0-9_]+", lines[i + 1]))
    return found


if __name__ == "__main__":
    sys.exit(main())
