/**
 * Demo data loaded by `convo db reset` (not by `db migrate` or `start`). Runs in one transaction after
 * every migration. The product issues fill it with a demo workspace.
 */
