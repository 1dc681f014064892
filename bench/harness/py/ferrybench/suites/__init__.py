"""Suites: each module has NAME, SYSTEMS, DESCRIPTION (what is compared, exactly), cases(ctx)
and plots(ctx, rows, plot_dir)."""
