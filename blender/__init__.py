"""The bake machinery in Blender: below ``operators/`` and ``ui/``, above ``core/``.

Reads the scene, runs the engine (:mod:`.bake`, :mod:`.job`), writes takes (:mod:`.keying`,
:mod:`.layers`, :mod:`.takes`, :mod:`.bone_takes`), exports (:mod:`.export`,
:mod:`.gltf_export`) and drives the headless CLI (:mod:`.headless`). Nothing here defines an
Operator or a Panel, and nothing here imports ``operators/`` or ``ui/``.
"""
