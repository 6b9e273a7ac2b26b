import pytest

from tests.stack import running_stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory, secrets_env):
    """Every service as its own process (``deploy.serve``), as ``make run`` starts
    them, on a vhost and stores of their own, shared by the end-to-end modules
    (a stack takes half a minute to start). So each module works on data of its
    own: its own petitions and phones, counts taken before and after, lists
    searched for its own case numbers, never what the store held before it; it
    passes alone, and before or after any other. At INFO: the log test
    (test_correlation) reads the services' INFO lines. A module whose
    assertions read the whole store (figures, the similar-case search), or that
    needs other settings, has a stack of its own (``own_stack``, or its own
    fixture)."""
    with running_stack(tmp_path_factory.mktemp("var"), secrets_env,
                       env={"LOG_LEVEL": "INFO"}) as stack:
        yield stack


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory, secrets_env):
    """A stack of the module's own, empty when the module starts."""
    with running_stack(tmp_path_factory.mktemp("var"), secrets_env) as stack:
        yield stack
