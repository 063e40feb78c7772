"""The offline writer: guides from static analysis of the project's code, no model.

Its rules read the project through one index (:mod:`howto_ls.offline.index`): every module
parsed once, updated per changed file.
"""
