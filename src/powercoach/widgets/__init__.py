"""The course's widgets: what a learner sees and clicks, composed from standard ipywidgets.

Thin faces over the core: a widget shows a scene, passes a click to the core (drill.py,
marking.py, answers.py, progress.py) and shows what the core says. Every control has a text
label and keyboard focus, and feedback always says in words whether an answer was right, so
colour is never the only signal.

One module per thing a learner sees; every name is importable from here
(``from powercoach.widgets import ClassifyDrill``):

==========================  ===========================================================
module                      what the learner sees
==========================  ===========================================================
``common``                  the scene card, feedback in words, a notice (shared helpers)
``tables``                  the orientation's tables of techniques and pitfalls
``drills``                  ClassifyDrill, PitfallDrill, TechniqueSpotter
``best_worst``              BestWorstPicker (practice, the ICF exam's format)
``roleplay``                RolePlayPlayer (branching conversations)
``formats``                 TranscriptPicker, BetterFit, ContrastTable, LadderSort (more practice formats)
``self_assessment``         SelfAssessment (a confidence rating per technique and a radar chart)
``start_page``              StartPage, ProgressView, study_times_table
``exercise``                ChoiceQuestion, BestWorstQuestion, SelfCheck (graded exercises)
``your_turn``               YourTurn: write your own reply, see what the reader notices, compare, rate
``draft``                   DraftCheck: the reader on an exercise's written answer before submitting
``reading``                 the reader's observations as HTML (shared by the two above)
==========================  ===========================================================

The reader (``powercoach.reader``) is imported only when a YourTurn or DraftCheck is built.
"""

from .best_worst import BestWorstPicker
from .common import CARD_STYLE, NO_STYLE, OK_STYLE, feedback_html, scene_html, status_html
from .draft import DraftCheck
from .drills import ClassifyDrill, PitfallDrill, TechniqueSpotter
from .exercise import BestWorstQuestion, ChoiceQuestion, SelfCheck
from .formats import BetterFit, ContrastTable, LadderSort, TranscriptPicker
from .roleplay import RolePlayPlayer
from .self_assessment import SelfAssessment
from .start_page import SESSION_NOTES, ProgressView, StartPage, study_times_table
from .tables import pitfalls_table, techniques_table
from .your_turn import YourTurn

__all__ = [
    "CARD_STYLE", "NO_STYLE", "OK_STYLE", "SESSION_NOTES",
    "BestWorstPicker", "BestWorstQuestion", "BetterFit", "ChoiceQuestion", "ClassifyDrill", "ContrastTable",
    "DraftCheck", "LadderSort", "PitfallDrill", "ProgressView", "RolePlayPlayer", "SelfAssessment", "SelfCheck",
    "StartPage", "TechniqueSpotter", "TranscriptPicker", "YourTurn",
    "feedback_html", "pitfalls_table", "scene_html", "status_html", "study_times_table", "techniques_table",
]
