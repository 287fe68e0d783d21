"""Image and text embedders, and the pipeline that feeds them files.

- :mod:`.registry` names the models, says which are usable here and loads them;
- :mod:`.base` is the :class:`~corpuscope.embed.base.Embedder` interface every model implements;
- :mod:`.pipeline` decodes files in worker processes while the model runs batched inference.

Importing this package is cheap: torch, ONNX Runtime and transformers load only with a model.
Nothing here imports the store, the web layer or sqlite3.
"""
