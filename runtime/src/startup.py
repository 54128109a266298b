# What `site` would have added at startup. The interpreter starts without `site` (its path
# processing has nothing to find in a component), but apps expect the builtins it defines, as
# under componentize-py 0.25.1, whose CPython imports it. Runs in the namespace of the
# `componentize_py_runtime` module.


def _add_site_builtins():
    """Defines exit, quit, copyright, credits, license and help, and sys.__interactivehook__,
    with site's own functions (importing site runs none of its path processing when the
    interpreter started without it)."""
    import site

    site.setquit()
    site.setcopyright()
    site.sethelper()
    site.enablerlcompleter()
