"""Command families: every module in this directory that defines FAMILY
(a gen.Family) is one. Adding a family is adding a module; see README.md."""
import importlib
import pkgutil


def load(names=None):
    """The families, sorted by name (so that a seed draws the same sequence
    whatever order the modules are found in). names: only these."""
    fams = []
    for m in pkgutil.iter_modules(__path__):
        mod = importlib.import_module(__name__ + "." + m.name)
        fam = getattr(mod, "FAMILY", None)
        if fam is None:
            continue
        if names and fam.name not in names:
            continue
        fams.append(fam)
    fams.sort(key=lambda f: f.name)
    if names:
        missing = set(names) - {f.name for f in fams}
        if missing:
            raise SystemExit("unknown families: " + ", ".join(sorted(missing)))
    return fams
