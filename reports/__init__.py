"""What a run's result looks like to its reader: text, Markdown, JSON and SARIF for code scanning.

``plan_report`` renders a plan, ``account_reports`` the results of ``preflight`` and ``audit``,
``sarif`` the SARIF 2.1.0 they (and the engine's policy events) share. The command line (``cli/``)
chooses the format and the destination; nothing here reads arguments or writes files.
"""
