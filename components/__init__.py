"""Pulumi components: one ComponentResource per file, each with typed args.

Components take typed args and providers; they never read files or config themselves.
Type tokens are `langsmith:index:<Name>`; children are parented to their component and named
`<component name>-<suffix>`, so an alias on a component (from `renamedFrom`) carries over to all
of its children.
"""
