"""项目调度 (issue 12): the monthly cycle of the key projects.

``figures`` (completion rate, 序时进度, gap, the warning lights per project and month), ``rules`` (the warning
rules read from a TOML file), ``totals`` (sums by township, category, key level, lead official, responsible
unit; the township ranking; who has not reported); the monthly sheets — ``sheet`` and ``headers`` (reading the
units' xlsx/xls/csv), ``template`` (the blank sheet) — and ``stages`` (stage changes from the audit log). The
rules of the cycle and its guarded writes are :mod:`xxgeo.policy_dispatch` and :mod:`xxgeo.policy_dispatch_import`,
the values :mod:`xxgeo.dispatch_values`.

Importing this package imports nothing (import the module you need): :mod:`xxgeo.policy_dispatch_import` reads a
sheet through ``sheet``, so nothing imported here may import the policy (an import cycle).
"""
