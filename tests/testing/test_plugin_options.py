"""The plugin as a downstream project meets it: checked marker values, sessions that reach every
cluster and nothing else, scenario folders named in the ini file, cheap imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fakevault.scenario.bundled import BUNDLED


@pytest.mark.parametrize(("options", "message"), [
    ('sync="Manual"', "*sync='Manual': use one of 'eager', 'manual'*"),
    ("strict=1", "*strict=1: use True or False*"),
    ('allow_violations="yes"', "*allow_violations='yes': use True or False*"),
    ('seed="7"', "*seed='7': use an integer*"),
    ("clusters=0", "*clusters=0: a count must be between 1 and 26*"),
    ("clusters=3.5", "*clusters=3.5: use a count*"),
    ('clusters=("Bad Name!",)', "*invalid cluster name*"),
    ("colour='blue'", "*unknown options*colour*use*allow_violations*"),
])
def test_a_wrong_marker_value_is_an_error_naming_the_allowed_values(
        pytester: pytest.Pytester, options: str, message: str) -> None:
    pytester.makepyfile(f"""
        import pytest

        @pytest.mark.fakevault({options})
        def test_bad(fakevault):
            pass
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


def test_good_marker_values_are_taken(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fakevault(clusters="x, y", seed=3, sync="manual", strict=True,
                               allow_violations=False)
        def test_good(fakevault):
            assert fakevault.names == ["x", "y"] and fakevault.seed == 3
            assert fakevault.sync_mode == "manual" and fakevault.strict
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_session_reaches_every_cluster_and_refuses_other_urls(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest
        import requests
        from fakevault import VaultError
        from fakevault.testing import UnknownAddressError

        def test_session(fakevault, fakevault_session):
            fakevault["c"].dr.enable_primary()
            http = fakevault_session("a")
            for name in fakevault.names:
                status = http.get(fakevault[name].api_addr + "/v1/sys/replication/dr/status",
                                  headers={"X-Vault-Token": "root"})
                assert status.status_code == 200, name
            assert status.json()["data"]["mode"] == "primary"
            with pytest.raises(UnknownAddressError, match="not a cluster of this fakevault"):
                http.get("http://127.0.0.1:9/v1/sys/health")
            with pytest.raises(requests.ConnectionError):  # what a dead address raises anyway
                http.get("https://vault.example.com/v1/sys/health")
            with pytest.raises(VaultError, match="no cluster named 'z'"):
                fakevault_session("z")
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_scenarios_in_the_folder_the_ini_names_run_as_tests(pytester: pytest.Pytester) -> None:
    folder = pytester.mkdir("runbooks")
    (folder / "dr-setup.toml").write_text(
        (BUNDLED / "dr-setup-and-health.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "broken.toml").write_text(
        (BUNDLED / "dr-setup-and-health.toml").read_text(encoding="utf-8")
        .replace('"data.mode" = "primary"', '"data.mode" = "secondary"', 1), encoding="utf-8")
    pytester.mkdir("elsewhere").joinpath("not-a-scenario.toml").write_text("x = 1\n")
    pytester.makeini("[pytest]\nfakevault_scenarios = runbooks\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*dr-setup*PASSED*", "*expected \"secondary\", got \"primary\"*"])


def test_without_the_ini_option_no_toml_file_is_collected(pytester: pytest.Pytester) -> None:
    (pytester.mkdir("runbooks") / "dr-setup.toml").write_text(
        (BUNDLED / "dr-setup-and-health.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_testing_package_exports_load_lazily() -> None:
    code = """
import sys
import fakevault.testing.plugin
heavy = sorted(m for m in ("hypothesis", "hvac", "werkzeug", "requests", "fakevault.http")
               if m in sys.modules)
assert not heavy, heavy
from fakevault.testing import ReplicationMachine, dr_operation_token, hvac_client
from fakevault.testing.machine import ReplicationMachine as same
assert ReplicationMachine is same and callable(dr_operation_token) and callable(hvac_client)
import fakevault.testing as package
assert set(package.__all__) == set(package._EXPORTS)
try:
    package.NoSuchThing
except AttributeError as exc:
    assert "NoSuchThing" in str(exc)
else:
    raise AssertionError("an unknown name must raise AttributeError")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
