"""Training: the embedded dataset, image folders, the loop, run folders, predict and Grad-CAM.

Importing the package imports no torch; ``loop``, ``predict`` and ``gradcam`` bring it in.
"""
