"""The pytest plugin, as a downstream project meets it (pytester runs real test files)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def test_each_test_gets_a_fresh_world(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_first(fakevault):
            fakevault["a"].performance.enable_primary()
            assert fakevault["a"].performance.status()["mode"] == "primary"

        def test_second(fakevault):
            assert fakevault["a"].performance.status() == {"mode": "disabled"}
            assert fakevault.names == ["a", "b", "c"]
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_marker_options_configure_the_world(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fakevault(clusters=("east", "west"), seed=42, sync="manual", strict=True)
        def test_marked(fakevault):
            assert fakevault.names == ["east", "west"]
            assert fakevault.seed == 42 and fakevault.sync_mode == "manual"
            assert fakevault.strict is True

        @pytest.mark.fakevault(clusters=2)
        def test_count(fakevault):
            assert fakevault.names == ["a", "b"]
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_flags_and_ini_set_defaults(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
        [pytest]
        fakevault_clusters = x,y
        fakevault_seed = 5
    """)
    pytester.makepyfile("""
        def test_defaults(fakevault):
            assert fakevault.names == ["x", "y"]
            assert fakevault.seed == 9
            assert fakevault.sync_mode == "manual"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-seed", "9",
                                "--fakevault-sync", "manual")
    result.assert_outcomes(passed=1)


def test_a_violation_fails_the_test_naming_the_operation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        def split_brain(sim):
            sim["a"].dr.enable_primary()
            sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
            sim["b"].dr.promote()          # the old primary was never demoted

        def test_buggy_failover(fakevault):
            split_brain(fakevault)

        @pytest.mark.fakevault(allow_violations=True)
        def test_allowed(fakevault):
            split_brain(fakevault)
            assert [v.kind for v in fakevault.violations] == ["split_brain"]
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*invariant violations*",
        "*split_brain: a, b are all dr primaries*caused by #*b.dr.promote(*",
        "*allow_violations=True*",
    ])


def test_report_flag_prints_the_history_of_a_failing_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_fails(fakevault):
            fakevault["a"].performance.enable_primary()
            assert False, "the test's own failure"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--fakevault-report")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*fakevault history*", "*#1 a.performance.enable_primary(*"])


def test_in_process_clients(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_clients(fakevault, fakevault_client, fakevault_session):
            vault = fakevault_client("a")
            vault.write("sys/replication/performance/primary/enable")
            assert fakevault["a"].performance.status()["mode"] == "primary"
            http = fakevault_session("b")
            url = fakevault["b"].api_addr + "/v1/sys/replication/status"
            assert http.get(url).json()["data"]["performance"] == {"mode": "disabled"}
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_live_server_is_reset_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import requests

        def test_one(fakevault_server):
            url = fakevault_server.url("a") + "/v1/sys/replication/dr/primary/enable"
            assert requests.post(url, headers={"X-Vault-Token": "root"}).status_code == 200

        def test_two(fakevault_server):
            url = fakevault_server.url("a") + "/v1/sys/replication/dr/status"
            assert requests.get(url).json()["data"] == {"mode": "disabled"}
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_server_thread_error_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import requests

        def test_breaks_the_server(fakevault_server, monkeypatch):
            def broken(*args):
                raise RuntimeError("boom inside the server")
            monkeypatch.setattr("fakevault.http.app.handle", broken)
            requests.get(fakevault_server.url("a") + "/v1/sys/replication/status")

        def test_next_one_is_fine(fakevault_server):
            url = fakevault_server.url("a") + "/v1/sys/replication/status"
            assert requests.get(url).status_code == 200
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*RuntimeError: boom inside the server*"])


def test_bad_marker_options_are_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fakevault(colour="blue")
        def test_bad(fakevault):
            pass
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown options*colour*"])


def test_two_xdist_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest, requests

        @pytest.mark.parametrize("n", range(6))
        def test_isolated(fakevault_server, fakevault, n):
            fakevault["a"].write(f"secret/n{n}", {"n": n})
            assert fakevault["a"].storage.last_wal == 1
            url = fakevault_server.url("a") + "/v1/sys/replication/status"
            assert requests.get(url).status_code == 200
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
