"""项目调度 (issue 12): the monthly cycle of the key projects.

``figures`` (completion rate, 序时进度, gap, the warning lights per project and month), ``rules`` (the warning
rules read from a TOML file), ``totals`` (sums by township, category, key level, lead official, responsible
unit; the township ranking; who has not reported). Importing this package imports nothing heavy: import
the module you need.
"""
