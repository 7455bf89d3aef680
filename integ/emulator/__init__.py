"""The local AWS emulator of the integration suite: moto's server (pinned), with its CloudFormation
handling of ``AWS::ECR::Repository`` completed (:mod:`integ.emulator.patches`), started on loopback
by :class:`~integ.emulator.launcher.Emulator`. Re-exports only; importing it does not import moto."""

from integ.emulator.launcher import Emulator, EmulatorError

__all__ = ["Emulator", "EmulatorError"]
