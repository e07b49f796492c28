"""The one build step pyproject.toml cannot say: each translation's catalog compiled (``messages.mo``, as
``pybabel compile`` makes it) into the wheel in place of its ``messages.po``, as the app bundle has them (the sdist
keeps the ``.po`` files translators work on). Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # a checkout: .ci/setup.sh compiles them in place
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        locale = Path(self.build_lib, "assets", "locale")
        for po in sorted(locale.glob("*/LC_MESSAGES/messages.po")):
            with po.open("rb") as source, po.with_suffix(".mo").open("wb") as target:
                write_mo(target, read_po(source, locale=po.parent.parent.name))
            po.unlink()
        (locale / "messages.pot").unlink(missing_ok=True)


setup(cmdclass={"build_py": BuildPyWithCatalogs})
