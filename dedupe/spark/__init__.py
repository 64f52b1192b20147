"""The Spark engine (optional extra ``[spark]``): the matching pipeline on PySpark DataFrames.

Only DataFrame APIs are used (no RDD, no SparkContext, no py4j-only calls), so the same code
runs on a local session, a cluster or Spark Connect. The pandas/Arrow batch functions of
:mod:`dedupe.matching` stay the single source of truth; Spark distributes them.
"""
