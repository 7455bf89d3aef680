"""One small CDK app per feature, deployed by the integration suite (and runnable on their own:
``cdk deploy --app "python -m integ.apps.secure_defaults"`` from the repository root). Each module has ``build(app)``,
which reads its settings from context (see :mod:`integ.apps.common`)."""
