"""Knowledge search: what the think tank already knows (advice, stage results, outputs, questions).

``audience`` decides who may see each item, ``documents`` turns rows into
index documents, ``sync`` keeps the knowledge index in step through the queue,
``service`` runs a search for a user.
"""
