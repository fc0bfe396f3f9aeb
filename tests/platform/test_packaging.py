"""What setup.py installs: every file of the extension and of the search service, and nothing of the
tests (the HCP simulator is a test double and stays in tests/harvest/)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def files_under(folder, root):
    found = set()
    for path, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found.update(os.path.relpath(os.path.join(path, name), root) for name in names)
    return found


def test_the_built_package_holds_every_file_of_the_extension_and_the_search_service(tmp_path):
    """A template, catalogue or data file that setup.py forgets works from the checkout and is
    missing once installed from a wheel (the build step of `pip wheel` is setuptools' build_py)."""
    build = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    built = files_under(tmp_path, tmp_path)
    expected = files_under(os.path.join(ROOT, "ckanext-datagovma", "ckanext"), os.path.join(ROOT, "ckanext-datagovma"))
    expected |= files_under(os.path.join(ROOT, "datagovma_search"), ROOT)
    assert expected - built == set(), "files setup.py leaves out of the package"
    assert built - expected == set()
    assert {"ckanext/datagovma/config_declaration.yaml", "ckanext/datagovma/templates/page.html",
            "ckanext/datagovma/i18n/ar/LC_MESSAGES/ckanext-datagovma.mo",
            "ckanext/datagovma/data/regions.csv"} <= built
    assert not any("hcp_simulator" in name or name.startswith("tests/") for name in built)
