"""mlpreport: the pieces of tools/report, which turns mlpbench result files into one
self-contained HTML page (or a Markdown summary).

    load      reads and validates result files (schema 1 and 2), one Run per file
    history   orders a machine's runs by commit and judges neighbours with `mlpbench compare`
    plots     the matplotlib figures, as PNG data: URIs
    page      the HTML page (with selfcheck.js inlined)
    markdown  the short summary table
"""

# What tools/report --break can spoil, for the browser test (page.py does it).
BREAKAGES = ("blank-image", "broken-image", "missing-section", "script-error")
