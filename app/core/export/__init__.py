"""What leaves the app: the model as runnable Keras code (python.py, training.py) and as a drawing of its blocks
(tree.py nests the graph into lanes as the page does, layout.py places the blocks once, svg.py writes them as SVG,
png.py renders that same SVG). Pure Python: nothing here imports TensorFlow; the ``.keras`` file is built in a
worker (app/tf/export.py)."""
