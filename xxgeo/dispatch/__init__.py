"""项目调度 (issue 12): the monthly sheets — reading them (:mod:`.sheet`, :mod:`.headers`) and the blank template
(:mod:`.template`). The rules and the guarded writes are :mod:`xxgeo.policy_dispatch` and
:mod:`xxgeo.policy_dispatch_import`; the values :mod:`xxgeo.dispatch_values`.

Keep this file free of imports: :mod:`xxgeo.policy_dispatch_import` reads a sheet through :mod:`.sheet`, so
nothing imported here may import the policy (an import cycle).
"""
