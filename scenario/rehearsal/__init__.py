"""The code of scenario/rehearse, one module per concern.

pages    reading the pages: command boxes, edits, expect comments
checks   the named checks (`<!-- expect: check NAME -->`)
machine  the root (debootstrap once, a fresh copy per scenario, mounts, clean-up) and
         the learner's shell in it
delivery what Killercoda gives a VM: the scenario's folder alone, its scripts, its
         assets (late, if asked); nothing of the checkout
journey  clicking a scenario through, page by page, and judging each click
pace     a beginner's minutes per page, from its text and its recorded outputs
report   what the report keeps of a click, its summary and the printed table
"""
