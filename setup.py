"""The wheel must carry the built web app and the bundled model's ONNX file.

Both are made outside the Python build (the web app by npm, the ONNX file by PyTorch, which
an installed corpuscope does not need): ``make wheel`` makes them first. Building a wheel
without them fails here with a sentence instead of shipping a package that serves no UI or
has no model. An editable install (``make setup``) is not checked: its files are made after.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

PACKAGE = Path(__file__).parent / "src" / "corpuscope"
GENERATED = {
    "web/static/index.html": "the built web app (cd frontend && npm ci && npm run build)",
    "embed/bundled/efficientnet-lite0.onnx": "the bundled model's ONNX file (make model)",
}


class BuildWithGeneratedFiles(build_py):
    def run(self) -> None:
        if not self.editable_mode:
            missing = [what for path, what in GENERATED.items() if not (PACKAGE / path).is_file()]
            if missing:
                raise SetupError(
                    f"Cannot build corpuscope without {' and '.join(missing)}; "
                    "run `make wheel`, which makes them first."
                )
        super().run()


setup(cmdclass={"build_py": BuildWithGeneratedFiles})
