"""Every weight and threshold of retrieval and answering, in one place, each with how it was set.

How constants are chosen (issue 11): on the TUNE half of bench/data/cases only (documents
split once, by paper), then checked on the VALIDATE half, on the shipped-report set and on
the external abstracts corpus; a mechanism that helps only one half is not kept. The fitted
vectors are reproduced by `python bench/fit_scoring.py`, which prints them with the figures
on both halves.
"""

from __future__ import annotations

import numpy as np

# --- Stage 2: passage ranking ---------------------------------------------------------------
# Features of a candidate passage, all in [0, 1]:
PASSAGE_FEATURES = (
    "sentence",  # cosine of its best sentence to the question
    "passage",  # cosine of the passage to the question
    "coverage",  # IDF-weighted share of the question's subject terms it contains (title/section included)
    "fused",  # reciprocal-rank fusion of the dense and BM25 rankings, over the pool's best
    "value",  # 1 when the question asks for a dose/duration/age/size/count/time and it states one
)
# Hand-set before issue 11 on a dev set of 25 questions. A logistic fit on tune over these five
# plus three more (BM25 over the pool's best, coverage of the focus terms, an introduction/
# background section flag) raised recall@1 (tune 0.644 -> 0.703, validate 0.593 -> 0.620) but
# lowered validate recall@5 (0.889 -> 0.861), so it was not adopted and the three extra
# features were dropped from the question path. `bench/fit_scoring.py` refits these five.
# Contextual passage headers (the section's opening sentence added to every later passage of the
# section, for the embedder and BM25) were measured too: validate recall@1/5/10 rose (0.593 ->
# 0.620, 0.889 -> 0.898, 0.907 -> 0.917) but tune fell on all three (0.644 -> 0.636, 0.881 ->
# 0.864, 0.958 -> 0.949): not kept.
# Eleventh round (2026-11-27), fit as a ranker on cases tune + the classes set (`bench/fit_scoring.py
# --listwise`, the rules' additions held fixed): 0.438 / 0 / 0.277 / 0.042 / 0.243. k = 10: recall@1 tune
# 0.814 -> 0.831, validate 0.741 -> 0.787, classes 0.611 -> 0.639, follow-ups 0.58 -> 0.64, levels 0.80 ->
# 0.85, methods 0.458 -> 0.417; answer-hit tune 0.890 -> 0.881, classes 0.750 -> 0.722, validate 0.796 ->
# 0.806; first-quote-hit tune 0.831 -> 0.814, validate 0.713 -> 0.741; false abstention validate 2 -> 3
# of 108. W_STANDING {0.1, 0.3, 0.45} with it: tune answer-hit 0.864 / 0.873 / 0.873; 1/4, 1/2, 3/4 of the
# move: 0.881 each. Not kept: the answers on tune got worse (bench/RESULTS.md, eleventh round).
PASSAGE_WEIGHTS = np.array([0.20, 0.25, 0.15, 0.30, 0.10])
W_DESCRIBED_DOC = 0.2  # passages of a paper whose patient has the age the question names ("the 72-year-old
# woman": analysis.ages, or "the toddler": analysis.age_group_ages; Retriever._described finds them and
# Retriever._preference boosts them as it does a follow-up's preferred papers).
# 40% of the cases questions name their patient by age; the
# number alone matched any "72". Grid {0, 0.05, 0.1, 0.15, 0.2, 0.3} on tune (k = 10): recall@1 0.712 ->
# 0.720 / 0.737 / 0.737 / 0.737 / 0.737, recall@5 0.949 -> 0.958 / 0.958 / 0.966 / 0.966 / 0.966,
# answer-hit 0.805 -> 0.805 / 0.797 / 0.797 / 0.805 / 0.797; 0.2 is the middle of the plateau and best.
# Validate at 0.2: recall@1 0.676 -> 0.713, recall@5 0.935 -> 0.954, recall@10 0.972 -> 0.981,
# first-quote-hit 0.630 -> 0.630, answer-hit 0.769 -> 0.759; follow-ups validate recall@5 0.957 -> 1.0,
# first-quote-hit 0.696 -> 0.739. Cost: one unanswerable validate question is answered ("What tocilizumab
# dose did the 65-year-old woman … receive?": her paper is now found, and its discussion names
# tocilizumab, so the identifier check passes and her prednisolone dose is quoted); 6/15 -> 5/15.
# Quoting only from the described papers (every question, before the diversity change): answer-hit +1
# question on each half but follow-ups validate answer-hit 0.913 -> 0.870: not kept (see
# OTHER_PATIENT_PENALTY for the form that was). Requiring a value question's named subject ("tocilizumab" in
# "what tocilizumab dose") in the quoted sentence: abstention 6 -> 7 and 5 -> 9 of 15 but false
# abstention 2 -> 4 of 118 and 2 -> 3 of 108, answer-hit tune 0.805 -> 0.771: not kept.
W_PAPER_COVERAGE = 0.4  # x the share of the question's key terms its paper's pooled passages hold between them
# (Retriever._paper_coverage): the passage stating the dose seldom repeats what the question says of the patient.
# Thirty-third round (2026-11-29): with every set's questions asked of one index of all 305 documents, the newest
# blind set found its paper first for 0.729 of its questions against 0.986 with its own twelve documents, and the
# tuning side fell 0.958 -> 0.902: a paper's passages competed one by one with every other paper's. Grid on the tuning
# side over that index (k = 10, right paper first / recall@1 / first quotes right / answers of 914, false abstentions):
# 0: 824 / 674 / 698 / 759 / 23; 0.1: 831 / 680 / 700 / 761 / 22; 0.2: 836 / 685 / 703 / 764 / 20; 0.4: 838 / 686 /
# 707 / 763 / 20; 0.6: 841 / 686 / 708 / 761 / 21; 1.0: 843 / 686 / 709 / 761 / 22. 0.4 is where recall@1 stops rising,
# with the fewest false abstentions. Checked with each set's own index (bench/RESULTS.md, thirty-third round; k = 10):
# the tuning side recall@1 +6, first quotes +5, answers +5, false abstentions -3; the check half recall@1 +3, answers
# +1, abstained +1, false abstentions -1; check14-20 recall@1 +5, answers +4; the abstracts +1 answer at k = 5; the
# shipped report unchanged; eval-dev recall@1 +1 and recall@5 -1.
SECTION_MISMATCH_PENALTY = 0.15  # a passage of the discussion/introduction for a question about the patient,
# or of the case section for one about the condition (analysis.about, analysis.section_about).
# Grid {0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25} on tune (k = 10, with ABOUT_PENALTY below): recall@1
# 0.644 -> 0.669 / 0.695 / 0.720 / 0.712 / 0.712 / 0.712, recall@5 0.881 -> 0.898 / 0.898 / 0.924 /
# 0.949 / 0.949 / 0.949, answer-hit 0.797 -> 0.797 at 0.15 (0.788 at 0.2); 0.15 is best on tune.
# Validate at 0.15: recall@1 0.602 -> 0.667, recall@5 0.889 -> 0.898, answer-hit 0.704 -> 0.750,
# first-quote-hit 0.574 -> 0.611; conversations (follow-ups) recall@5 tune 0.852 -> 0.926,
# validate 0.826 -> 0.870; eval-dev unchanged. A bonus for the matching section instead
# (case/presentation/history/course sections for patient questions) lowered tune recall@1 to
# 0.610 at 0.02: the answer to a patient question also lies in treatment, investigation and
# outcome sections, which a penalty for the other side leaves alone. Lowering passages whose section
# says neither (treatment, outcome …) when most of their sentences are about the other side
# (analysis.about), {0.05, 0.15}: tune unchanged, validate recall@1 0.667 -> 0.657: not kept.
SECTION_PRIOR = 0.06  # a passage of the section a case report answers the question in (analysis.asked_section):
# its investigations for what a test showed or measured ("How was it confirmed?", "What was her ferritin?"), its
# treatment for what was given (dose questions, "treated", "started", "tapered" …), its outcome for what came after.
# The issue's "section priors". Seventh round (2026-11-26), grid {0.03, 0.06, 0.1} on tune (k = 10): recall@1
# 0.754 -> 0.797 / 0.814 / 0.797, recall@5 0.966 -> 0.975 / 0.983 / 0.983, answer-hit 0.873 -> 0.873 / 0.881 /
# 0.864; 0.06 is best on tune. Validate at 0.06: recall@1 0.713 -> 0.731, answer-hit 0.778 -> 0.787 (k = 5 0.787
# -> 0.796, first-quote-hit 0.704 -> 0.722), paper@1 0.880 -> 0.870 ("What did brain MRI show when he
# deteriorated again?" names no patient: another paper's investigations came first); follow-ups recall@1 0.46 ->
# 0.56; the methods check first-quote-hit 0.333 -> 0.375; the abstracts, the shipped report and eval-dev unchanged
# (their headings name none of these sections). The development papers follow the BMJ Case Reports headings
# (case presentation, investigations, treatment, outcome and follow-up), as many published case reports do; a
# paper with other headings is ranked as before. A study's results for a yes/no or how-often question not about
# a patient ("Is statin use linked to fewer events?"): abstracts (odd, the tune half) recall@1 12 -> 33 of
# 50, answer-hit 18 -> 20, first-quote-hit 13 -> 14; (even) recall@1 9 -> 28, answer-hit 19 -> 21, first-quote-hit
# 13 -> 15, unindexed abstained 41 -> 42 of 50; false abstention unchanged (3 of 100); cases unchanged. With the
# conclusions too: odd recall@1 18 of 50, not kept. Checked before the case-report sections instead of after:
# odd recall@1 33 -> 36 and nothing else moved, but even false abstention 1 -> 2 of 50 (4% in all, over the
# issue's 3%): not kept, since on the tune half the two differ in recall@1 only. Not kept: the case presentation (or history) for questions on how
# the patient presented ("symptoms", "admitted", "how old"): tune unchanged, validate recall@5 -1 question,
# follow-ups recall@1 and answer-hit -1 each.

# --- The question adapter (bot/adapter.py): stage 2's best-sentence feature -------------------------
# Twenty-fourth round (2026-11-28). Given the right paper, the model's cosine puts an answering sentence first
# among the paper's sentences for 37% of the tuning side's questions (864 answerable ones that ask on their own):
# a question's vector lies nearest the sentences that repeat its description of the patient. A linear map of the
# question vector, fit on those questions (bench/fit_adapter.py), is scored leave-one-set-out (each of the 13 sets
# ranked by a map fit on the other 12):
ADAPTER_L2 = 0.03  # the fit's penalty on |delta|^2, which keeps the map near the identity. Grid (leave-one-set-out,
# answering sentence first, of 864, from 0.369): 0.0001 -> 0.444, 0.001 -> 0.471, 0.01 -> 0.507, 0.03 -> 0.520,
# 0.1 -> 0.510; every set but check3 (unchanged) gains at 0.03. 0.03 is the best.
ADAPTER_TEMPERATURE = 0.05  # the cosines' scale in the fit's softmax: set by hand, not tuned
ADAPTER_STEPS, ADAPTER_RATE = 200, 2e-3  # full-batch Adam: set by hand (the loss has flattened by then), not tuned
# Where it is used, measured in the pipeline with maps fit out of fold (the sets split in two halves of ~430
# questions by their documents, each half answered with the map fit on the other): stage 2's best-sentence feature
# under the adapted question, k = 10: recall@1 669 -> 684 of 914, answer-hit 790 -> 789, first-quote-hit 698 -> 699,
# abstention 147 -> 146 of 183, false abstention 9 -> 9; k = 5: recall@1 670 -> 685, answer-hit 794 -> 794,
# first-quote-hit 698 -> 700, abstention and false abstention unchanged. The check half (check7, check8, check11;
# aggregates only), with the map fit on the whole tuning side, k = 10: recall@1 150 -> 149 of 210, recall@5 198 ->
# 203, answer-hit 161 -> 163, first-quote-hit 142 -> 145, false abstention 10 -> 9; k = 5: answer-hit 161 -> 166,
# first-quote-hit 142 -> 148, false abstention 11 -> 9. check12 (blind last round; aggregates only, from now on
# part of the check half), k = 10: recall@1 37 -> 43 of 70, answer-hit 51 -> 51, false abstention 2 -> 2. The
# abstracts: unchanged but abstention 88 -> 89 of 100.
# The abstention's coverage is now read from the best-covered retrieved passage of the top paper, not its top
# passage: with the map alone the top passage is more often the one answering in other words than the question's,
# and check12 lost two answers to the coverage rule (false abstention 2 -> 4), check11 none (4 -> 3 with the change).
# Measured and not kept:
# - the adapted cosine in the answer's choice of sentence too (W_SEMANTIC): out of fold, k = 10, first-quote-hit
#   698 -> 689, answer-hit 790 -> 787. Fit instead for that choice (the map trained on each candidate sentence's
#   whole answer score, the cosine's part adapted): leave-one-set-out, the first quote holds the answer 662 -> 660
#   of 855 (with the penalty at 0.003: 651): the answer's coverage and rules already carry what the map adds.
# - the answer's weight for its passage's standing raised with the map (W_STANDING 0.2 -> 0.3): tuning side out of
#   fold, k = 10, answer-hit 789 -> 793 but false abstention 9 -> 10; k = 5 answer-hit unchanged, false abstention
#   10 -> 11, recall@1 685 -> 682 (follow-ups); the check half answer-hit 214 -> 217 (k = 10) and 216 -> 217 (k = 5).
#   A false abstention more at both k: left at 0.2.
# - other papers' sentences from the question's candidate pool (~170 a question) as further negatives in the fit:
#   two-fold by documents, the answering sentence first among its paper's 319 -> 402 of 864 (paper only: 422), and
#   among its paper's and the pool's 250 -> 290 (paper only: 320): worse on both.
# - a map of rank 16 or 64 (delta = U V^T, fit in torch) instead of the full penalised one: leave-one-set-out 0.517 and
#   0.531 against 0.520, within the spread of one fold; the full map keeps a convex, reproducible fit.
# - the adapted cosine as an abstention signal: over the answers the rules give on the tuning side, the best adapted
#   cosine of the top paper separates the 37 unanswerable questions from the 855 answerable ones no better than chance
#   (AUC 0.49; the model's cosine 0.45; the adapted margin between its two best sentences 0.57).
# - the adapted question for the passage cosine too (PASSAGE_WEIGHTS "passage"): out of fold, k = 10, recall@1 669 ->
#   695 but answer-hit 790 -> 789 and abstention 147 -> 145; check11 abstained on 8 of 14 instead of 9.
# - the best-sentence weight raised from 0.2 to 0.3 with the map: out of fold, k = 10, recall@1 684 -> 687,
#   nothing else moved; 0.1: 679, false abstention +1. Left at 0.2.

COMMON_UNKNOWN_IDF = 1.0  # weight of an everyday word the corpus happens not to use
RARE_ZIPF = 4.0  # a word under this wordfreq Zipf frequency (< 1 per 10^5 words) is specialised vocabulary

# --- Diversity of the top k ------------------------------------------------------------------
RELEVANT_FRACTION = 0.9  # a paper's extra passages yield to other papers scoring within this fraction of the best
# (retrieve.diversify). Grid on 2026-11-26, k=10: {0.5, 0.7, 0.8, 0.9, 0.95, off}. Tune (cases and
# follow-ups) is the same from 0.9 up; off and 0.95 gain one follow-up of recall@5 on validate;
# 0.8 / 0.7 / 0.5 lower abstracts recall@5 (k=5) 0.96 / 0.84 / 0.68 on tune. 0.9 is kept as the
# smallest that costs nothing on tune: a survey question ("treatment of calcinosis") should see
# several papers, which single-answer dev questions cannot measure.
#
# Two rules were removed the same day. (1) A surplus passage used to wait behind every passage of
# other papers, irrelevant ones included; it now waits only for other papers' relevant passages.
# (2) A passage whose vector had cosine >= 0.95 to one already chosen from its paper was deferred as
# a near-duplicate; but passage vectors carry the title and section prefix, so a paper's short
# passages all look alike ("The diagnosis was established by skin biopsy." waited behind seven
# other papers), and the sentence-vector alternative puts a structured abstract's objective and
# its conclusion (the answer) at 0.95 too. Both changes together, k=10: recall@5 cases tune 0.949 ->
# 0.949, validate 0.898 -> 0.926; follow-ups tune 0.926 -> 1.0, validate 0.870 -> 0.913, answer-hit
# 0.741 -> 0.778 and 0.826 -> 0.913, first-quote-hit 0.556 -> 0.556 and 0.522 -> 0.652; abstracts
# (k=5) recall@5 0.86 -> 0.96 and 0.84 -> 1.0. Cost: one question of first-quote-hit on each cases
# half and two on abstracts tune (more of the answer's paper competes for the quote); follow-ups
# validate recall@1 0.522 -> 0.435 (two follow-ups whose earlier turns now quote other sentences).

# --- Answer: sentence choice -----------------------------------------------------------------
W_SEMANTIC, W_COVERAGE, W_STANDING = 0.45, 0.35, 0.20  # cosine to the question, key-term coverage, passage standing
# The cosine is the sentence's vector pooled from its passage's token vectors. Encoding each candidate
# sentence on its own instead (or half and half) was measured on 2026-11-26: tune first-quote-hit 0.686
# -> 0.720 (0.729 half), validate 0.630 -> 0.583 (0.611), validate answer-hit 0.759 -> 0.731 (0.741),
# follow-ups validate first-quote-hit 0.739 -> 0.609: not kept (it would also cost an encode per
# sentence at index time).
# A bonus for sentences reporting a finding ("showed", "revealed", "found") when the question asks what
# a test showed or found, {0.05, 0.1, 0.15}: tune first-quote-hit +1 question but answer-hit -1, validate
# first-quote-hit +1, follow-ups validate first-quote-hit -1: not kept.
# Eleventh round (2026-11-27): how rare a question's term is among the candidate sentences (the coverage
# weights of answer.select_sentences) counted only over passages scoring at least {0.5, 0.7, 0.8} of the
# top one, since a change in the k-th passage of another paper flipped "What triggered the 55-year-old
# woman's stress cardiomyopathy episode?" to another first quote: tune answer-hit 0.890 -> 0.881 / 0.881 /
# 0.890, first-quote-hit 0.831 -> 0.822 / 0.822 / 0.839, classes first-quote-hit 0.500 at 0.5 and 0.7,
# 0.472 at 0.8: no floor helps both, not kept.
# Ordering the chosen quotes by their passage's rank instead of their score: tune first-quote-hit 0.695
# -> 0.712, validate unchanged, follow-ups validate 0.739 -> 0.565: not kept.
# Re-fit after the level, drug and her-papers rules (2026-11-26): grid W_SEMANTIC {0.35, 0.45, 0.55} x
# W_COVERAGE {0.25, 0.35, 0.45} x W_STANDING {0.1, 0.2, 0.3} x FOCUS_WEIGHT {2, 3, 4} on tune (k = 10).
# The best rows all had W_STANDING 0.3. (0.35, 0.25, 0.30, 3): tune answer-hit 0.864 -> 0.873,
# first-quote-hit 0.737 -> 0.754; validate k = 10 0.769 -> 0.778 and 0.657 -> 0.676, but validate
# k = 5 0.778 -> 0.769 and 0.657 -> 0.639, follow-ups tune first-quote-hit 0.593 -> 0.519: not kept
# (it helps at one k and hurts at the other). (0.35, 0.35, 0.30, 2) cost follow-ups first-quote-hit
# on both halves.
# A conditional logit over the fourteen sentence features (the three above plus every bonus and penalty
# below), fit on the cases and follow-up tune questions (eighth round, 2026-11-26, L2 0.1): cases tune
# first-quote-hit 0.814 -> 0.831 (answer-hit 0.890 -> 0.881), validate first-quote-hit 0.713 -> 0.731 and
# answer-hit 0.787 -> 0.796, but follow-ups validate answer-hit 0.913 -> 0.870 and first-quote-hit 0.783 ->
# 0.696 (L2 1: lower on every set). Refitting only these three weights, the rest fixed, lowered tune
# first-quote-hit to 0.763-0.771: not kept. The hand-set weights are near what these features can give.
# "What did the biopsy show?" (analysis.asks_finding): the sentence reporting a finding ("… showed",
# "… confirmed", or a laboratory value) over the one saying the test was done. Chosen 2026-11-26 on cases
# tune: 0.04, 0.08 and 0.12 all gave first-quote-hit +1 question (the middle kept); validate +1 question,
# shipped report +1, follow-ups, abstracts and eval-dev unchanged. Verbs alone cost a validate follow-up
# ("What did the repeat spinal fluid test show then?" is answered by "titre was 1:4"): a value counts too.
# The same bonus for "How was sarcoidosis proven?" / "How were the rings detected?" (analysis.asks_finding), with
# "established by", "diagnosed by" … counting as a finding; added 2026-11-26 after reading cases tune misses (5 of
# its 27 answer misses asked how a diagnosis was made). Cases tune k = 10 first-quote-hit 0.763 -> 0.788, answer-hit
# 0.864 -> 0.873 (k = 5: 0.771 -> 0.797, 0.856 -> 0.864); the methods check set answer-hit 0.833 -> 0.875,
# first-quote-hit 0.250 -> 0.333; validate (which asks no question of that form), follow-ups, abstracts, the
# shipped report and eval-dev unchanged.
FINDING_BONUS = 0.08
# A sentence naming no investigation (analysis.INVESTIGATION: a test, scan, biopsy, culture, level, criteria …) for a
# question asking how a diagnosis was confirmed or a finding detected (analysis.asks_how_confirmed); and when the best
# sentence still names none, the bot abstains: "The diagnosis was confirmed by the combination of the drug rash,
# eosinophilia and systemic involvement" does not say how her pericardial effusion was found. Twenty-first round
# (2026-11-28), from tuning misses (the methods set: first quotes that repeated her history). Grid {0.05, 0.1, 0.2} on
# the tuning side (774 answerable, k = 10): first-quote-hit 582 -> 584 / 585 / 585 (0.2 also recall@1 +1 through a
# follow-up); 0.1 kept, the smallest on the plateau. At k = 5: 581 -> 584. The abstention: unanswerable abstained
# 122 -> 123 (k = 5: 121 -> 122), no false abstention. check7 and check8 (aggregates, k = 5 and 10) unchanged by both.
# "clinical" counts only as "clinically" or "clinical features / grounds / criteria …", not in "Department of Clinical
# Bacteriology": one more unanswerable abstained at k = 5 and 10, nothing else moved, check7 and check8 unchanged.
# Measured and not kept: reading "What test / imaging confirmed X?", "By what means / On what basis was X …?" as such
# questions too: first-quote-hit +2 but answer-hit -3 and three more false abstentions (their answers name the
# criteria or the scoring system in words the investigation list does not hold).
UNTESTED_PENALTY = 0.1
UNTREATED_PENALTY = 0.2  # a sentence naming no treatment (analysis.TREATMENT or a drug's name) for a question asking
# how the condition was treated or managed (analysis.asks_how_treated). Twenty-first round, from tuning misses ("How
# was the 31-year-old with atypical SJS treated in intensive care?" got "She was managed in intensive care"). Grid
# {0.05, 0.1, 0.2, 0.3} on the tuning side (k = 10): first-quote-hit 590 -> 592 / 592 / 593 / 593, answer-hit 664 ->
# 664 / 664 / 665 / 665; 0.2 kept, the smallest of the best plateau. k = 5: first-quote-hit 588 -> 592, answer-hit
# 667 -> 668. check7 unchanged; check8 answer-hit and first-quote-hit +1 question each at k = 5 and 10.
DAY_BONUS = 0.1  # a sentence naming the point of the course the question names ("What was added on day 5?": "On day 5
# he was given a second IVIG course", not "infliximab … at 5 mg/kg on day 9", which shares the number). Twenty-first
# round, from a tuning miss. Grid {0.1, 0.2} on the tuning side, and 0.1 with the same penalty for a sentence naming
# another day: first-quote-hit 595 -> 596 every time (k = 5: 594 -> 595), nothing else moved; 0.1 kept, no penalty.
# check7 and check8 unchanged. "On the third day" names day 3 (answer._NTH_DAY): first-quote-hit 596 -> 597 (k = 5:
# 595 -> 596), nothing else moved; check7 and check8 unchanged.
NAMING_PAPER_HITS = 3  # when the top paper never mentions a drug, identifier, concept or eponym the question names
# (retrieve.Retriever.missing, which makes the bot abstain), a paper among the passages ranked 2 and 3 that names them
# all goes first and the passages of the papers lacking a term are dropped: they cannot answer, and their sentences
# were quoted beside hers (Retriever._naming_paper_first). Twenty-first round, from tuning false abstentions ("the
# toddler who received the anti-TNF antibody": a Kawasaki paper without infliximab ranked above hers). Grid {3, 5, 10} passages on
# the tuning side (k = 10): 3 and 5 the same, answer-hit 658 -> 660, false abstention 14 -> 12, recall@1 +2, no
# unanswerable question answered; 10 also answered one unanswerable question (125 -> 124 abstained) for one more
# answer. 3 kept, the smallest on the plateau. k = 5: answer-hit 662 -> 664, false abstention 14 -> 12. The
# abstracts' unindexed questions (88 of 100 abstained), check7 and check8 unchanged.
# The same window serves Retriever._same_patient_first (thirty-fifth round: a question naming its patient's sex or age
# whose top paper's patient is another): not tuned again.
# No constant, one rule (answer._asked_classes): "Which beta-blocker was he sent home on?" names a class the vocabulary
# knows by its members' stems, so only a sentence naming a member states the answer (heparin is a drug, not one of
# them), and when only sentences on the condition name one, the bot abstains. Classes known only by the drugs listed
# under them ("immunosuppressant") stay with analysis.DRUG_NAME: a paper may name one nobody listed, and the first try,
# applied to every class, cost a follow-up its first quote at k = 5. Twenty-first round, from a tuning miss: tuning side
# unanswerable abstained 124 -> 125 at k = 5 and 10, nothing else moved; check7 and check8 unchanged.
# A sentence giving a reason ("because", "due to", "in view of", "prompted", answer._CAUSAL) for a "why" question.
# Fourteenth round (2026-11-27), after the check2 set's misses: 3 of its 8 "why" questions quoted a neighbour
# before the "Because …" sentence. Chosen on the tuning side (cases tune, classes, fresh, check2, check3's first
# half), on top of the patient-description change below: 0.04 gave fresh answer-hit and first-quote-hit +1 each
# and check2 first-quote-hit +1, nothing lost anywhere; 0.08 the same on fresh but check2 answer-hit -1. A bonus
# only: the third round's causal shape with the value shapes' penalty (a sentence without one marked down) cost
# tune first-quote-hit 0.737 -> 0.712.
CAUSE_BONUS = 0.04
# Fifteenth round (2026-11-27): a question for the first value measured ("on admission", "when she first came in",
# "pre-treatment") gives this to the earliest sentence of each paper stating a value of the shape asked (a case
# report tells its story in order). Found on check3's "What was the platelet count … on admission?", which quoted
# "Eight weeks into treatment the platelet count had climbed to …" 0.045 above the admission count. 0.05 and 0.1
# moved that question alone on every tuning set (and nothing on validate or levels): the smaller is kept.
FIRST_VALUE_BONUS = 0.05
# A sentence of a study's results section, for the questions whose passages get the results prior (analysis.
# asked_section: yes/no or how-often questions not about a patient). The passage prior alone ranks the results
# first but the quote still came from the conclusions or the background. Seventh round (2026-11-26), grid {0.03,
# 0.06, 0.1, 0.15, 0.2} on the abstracts' tune half (odd), first-quote-hit 14 -> 19 / 25 / 27 / 29 / 29 of 50,
# answer-hit 20 -> 25 / 32 / 35 / 37 / 38. 0.15 kept, the smallest at the first-quote plateau: the set's evidence
# lies in the results by construction, so a larger bonus partly measures how the set was written. Even half at
# 0.15: first-quote-hit 15 -> 25, answer-hit 21 -> 32 of 50; abstention unchanged; no question of the cases,
# follow-ups, shipped report or eval-dev moved. The same bonus for a case report's sections (investigations,
# treatment, outcome) at SECTION_PRIOR: cases tune first-quote-hit +2 and answer-hit +1, validate +2 and -2,
# follow-ups validate first-quote-hit -2: not kept.
RESULTS_BONUS = 0.15
# A sentence of her story naming the treatment a "Was she given X?" question asks about (analysis.received). Tried
# in the sixteenth round (0.1 / 0.2: check3 first-quote-hit +1, check4 -1) when received() still missed most such
# questions: drugs without a WHO stem ("Did the 9-month-old get calcitonin?"), "-alol" beta-blockers (labetalol),
# and it took a concept naming the patient ("… the woman with postpartum eclampsia and PRES") for the treatment.
# Seventeenth round (2026-11-27), with those fixed, grid {0.05, 0.1, 0.2} on the tuning side (cases tune, classes,
# follow-ups, fresh, check2-check5): first-quote-hit +4 / +5 / +5 of 564 answerable questions (check2 +1, check3
# +1, check4 +1 and -1, check5 +3), quotes per answer down, nothing else moved; validate: one quote fewer. 0.1, the
# smallest at the plateau, kept. With the words the verb takes as the treatment, the abstention below ("only the
# condition's options name it") first refused three more answerable questions whose papers name the treatment
# another way ("steroids" / "corticosteroids", "acetylcysteine" / "NAC"), none of them answered right before: it
# now needs a drug or concept the question names, and no question's abstention moved.
GIVEN_BONUS = 0.1
# Levels written without a unit (analysis._UNITLESS_LEVEL: an INR, an electrolyte "was 114", a count "37K"), found on
# check5's misses in the seventeenth round (2026-11-27): a question for such a level had been refused, no sentence
# stating it in the shape of a laboratory value. Tuning side: check5 answer-hit and first-quote-hit +2 each, false
# abstention 4 -> 2 of 70; fresh one wrong answer became a refusal (a question naming no patient, its paper ranked
# 6th); nothing else moved, validate included. Not a constant: a shape.
# Same round, also from check5's misses, together: a dose sentence naming what its dose is of ("148 mg of calcium")
# no longer speaks of the drug of the sentence before it (answer._DOSE_OF); the first value asked ("… when he
# arrived?") is the earliest of the test the question names, not of any test; paracetamol = acetaminophen (APAP)
# and acetylcysteine = NAC in the vocabulary, paracetamol a drug name. check5 answer-hit and first-quote-hit +1,
# unanswerable abstained 8 -> 9 of 14; no question of any other set moved, validate included.
# And: a capitalised abbreviation of four letters or more that a question writes ("… who presented with an
# inferolateral STEMI pattern") is not missing from a paper that spells it out, a two-letter abbreviation inside
# the phrase giving both its letters ("ST-elevation myocardial infarction"): check5 answer-hit +1 (a refusal
# answered), nothing else moved. For two- and three-letter words too it cost fresh an abstention ("chest CT": the
# initials of any two words, "cycling that", spell CT).
# And: the treatment a "was she given X?" question asks about is, among the drugs and concepts it names, the one its
# verb takes ("… after a paracetamol overdose get acetylcysteine?", "… who took an overdose of colchicine get G-CSF?"),
# and "put on" asks it too: tuning side first-quote-hit +3 (check3, check4, check5), answer-hit +1 (check5), an
# unanswerable question abstained (check2), and one answerable question refused (check3: "given platelet
# transfusions?" for "infusions of platelets", answered wrongly before); validate unchanged.
# And haemodialysis is a dialysis (vocabulary, one-way): check5 answer-hit and first-quote-hit +1, nothing else moved.
# Eighteenth round (2026-11-27): check6, blind in the seventeenth, became tuning data; every change below was found
# on its misses or on the tuning sets' false abstentions, measured on every tuning set (cases tune, classes,
# follow-ups, fresh, check2-check6) and on validate at k = 10, and kept only when nothing on the tuning side got
# worse. Rules and vocabulary, no new constant except answer.DRUG_NAME_ZIPF (a word-frequency bar, its values there):
# - A body weight or a share ("weight 53 kg", "HbA1c 5.3%") is no dose of the drug in the paper's title or the
#   sentence before (analysis.DRUG_AMOUNT in answer._names): 2 more unanswerable questions abstained (check6),
#   four answers one quote shorter. A rare word next to the dose word is a drug even with a qualifier's ending
#   ("What succimer dose …?"): +1 abstained. Class words of anti-infectives ("antiparasitic"): +1 answer.
# - "The drug level" is the level of the drug the question names, its test found past a clause set off by commas
#   ("A serum flecainide concentration, taken 1 hour before the arrest, was …"), with the stems -ainide, -arone
#   and -pressin: +1 answer (a refusal). A test's value counts as stated, for the first quote, only where the
#   sentence names the test ("15% alcohol" is no lactate): +1 first quote, five answers one quote shorter.
# - Vocabulary: noradrenaline, adrenaline, DDAVP, bicarb, liver enzymes (a class of ALT and AST): check6 answer-hit
#   +4, first-quote-hit +2, false abstention 5 -> 3, one unanswerable answered (recovered by the weight rule);
#   then co-trimoxazole, T3, T4, PBG and D5W, from the false abstentions of tune, fresh, check2 and check5: +4
#   answers, false abstention 16 -> 12 of the tuning side's 622 answerable questions.
# - "Was he given X?": a sentence saying X was stopped or withdrawn does not get GIVEN_BONUS: check2 +1 first quote.
# - An amount asked in a unit ("How many IU …?", "at what rate in units per kilogram per hour", "in mg/kg") needs
#   a sentence of hers giving a number in that unit, per the same things (answer._states_amount), and "the child"
#   of a present-tense sentence on the condition is anyone's: 4 more unanswerable questions abstained (fresh,
#   check2, check5, check6), validate +1 abstained; no answerable question moved.
# - Classes named by their action (blocker, inhibitor, antagonist, agonist, amoebicide) ask for a drug: +1 answer.
# - "How was X confirmed / ruled out?" is also answered by a test's result in its own words ("… was positive",
#   "Brucella grew"; analysis.TEST_RESULT, FINDING_BONUS): fresh +1 first quote; the methods check unchanged. For
#   "What did X show?" as well it changed one golden answer for the worse (a positive antibody test quoted for
#   what the pathology showed), so it is kept to "how" questions.
# - "What was the pre-treatment hCG …?": the words saying which value ("pre-treatment", "initial", "peak") are no
#   part of the test's name (analysis._WHICH_VALUE): check3 +1 answer and first quote; the levels check unchanged.
# Tuning side in all, k = 10: answer-hit 512 -> 524, first-quote-hit 454 -> 467 of 622, unanswerable abstained
# 84 -> 90 of 114, false abstention 20 -> 12; validate abstained 13 -> 14 of 15, otherwise unchanged.
# Not kept (same round): "infusion rate", "rate of the drip" and "mg/kg" in a question as a dose question
# (analysis.question_type): nothing moved; refusing "Was she given X?" whenever no sentence of hers names X (not
# only when the condition's options do): nothing moved (measured again in the nineteenth round: on ten wordings of
# "Was the 65-year-old given tocilizumab?", which her paper names only among options, it cut the quotes of her absent
# radial pulses from 9 to 4, but check8 lost an answer at k = 5; not kept); a general sentence for a question about
# the patient penalised more than ABOUT_PENALTY (+0.1 / +0.2): tuning side answer-hit -1 and first-quote-hit 0 / -1,
# answers shorter, validate unchanged.
QUANTITY_BONUS, QUANTITY_PENALTY = 0.08, 0.15  # a sentence that states / lacks the value shape asked for
# The same bonus and penalty for a question asking for a drug ("which antibiotics", "what medication"):
# a sentence naming one (analysis.DRUG_NAME) states that shape. Measured 2026-11-26, k = 10, with
# (bonus, penalty) {(0.04, 0), (0.08, 0), (0.08, 0.08), (0.08, 0.15), (0.15, 0.15)}: tune first-quote-hit
# 0.720 -> 0.720 / 0.729 / 0.729 / 0.729 / 0.729, validate 0.648 -> 0.657 from 0.04 on; nothing else
# moved on any set (eval-dev quotes per answer 2.05 -> 1.95), so the value shapes' pair is reused. (After
# the name pattern took more stems (cef-, -penem, -phrine, -racetam, -setron, -toin) and lost words it
# mistook (magazine, intercept, thyroglobulin), dropping the penalty cost tune first-quote-hit one question:
# kept.) With
# the final name pattern (three-letter prefixes, so "heparin" counts): tune answer-hit 0.856 -> 0.864,
# first-quote-hit 0.720 -> 0.737; validate first-quote-hit 0.648 -> 0.657; the rest unchanged.
# The class words (analysis.DRUG_CLASSES) later took common classes too (bisphosphonate, corticosteroid,
# statin, diuretic, vasopressor …) after eval-dev's "Which oral bisphosphonate …?" quoted a sentence naming
# none: eval-dev first-quote-hit 0.476 -> 0.524; no cases, follow-up or abstracts question moved.
# A class word the question asks for ("Which antifungal …?", "Which biological drugs …?") counts as present in a
# sentence naming a drug (answer.select_sentences), so "This was followed by a course of fluconazole" is not
# outscored by "… prolonged antifungal therapy", which repeats the class. A rule, no constant. Seventh round
# (2026-11-26), k = 10: cases tune first-quote-hit 0.797 -> 0.805 (k = 5 0.805 -> 0.814); validate
# first-quote-hit 0.694 -> 0.713 and answer-hit 0.769 -> 0.778 (k = 5 0.685 -> 0.704, 0.778 -> 0.787).
# The same credit for imaging ("Which scan …?" answered by "CT showed …") and procedures ("Which operations …?" by
# "… underwent antrostomy"): tune unchanged, validate answer-hit +1 and follow-ups validate first-quote-hit +1.
# Not kept: it helps one half only (tune has no question it touches). Eighth round (2026-11-26): the same credit for imaging,
# procedures, organs, organisms and antibodies (analysis.MEMBER_CLASSES), measured on cases tune plus a new tune-only
# set of 42 questions for the members of a class (bench/data/cases/classes.jsonl, written for this by a writer who saw
# the tune documents only; it was written after the per-kind counts showed "which" questions missed most on validate,
# 9 of 15 against 1 of 10 on tune): cases tune first-quote-hit 0.814 -> 0.822 ("Which internal organs … were
# involved …?"), the classes set unchanged (first-quote-hit 19 and answer-hit 28 of 42: its misses lie elsewhere,
# mostly in ranking), validate answer-hit 0.787 -> 0.796 (k = 5 0.796 -> 0.806), follow-ups validate first-quote-hit
# 18 -> 19 of 23; no other set moved. Kept: it helps both halves. The class words also as a value shape (the bonus and
# penalty drugs have): nothing more on any set, not kept.
# Abstaining on a "which <drug class>" question about the patient when no sentence of the top passage (or of the
# top paper) that is not about the condition in general names a drug: classes set 2 more of its 6 unanswerable
# abstained (top passage), but 4 answerable questions of cases tune and validate were refused (3 with the top
# paper): penicillamine, zinc and phenoxybenzamine carry no class stem. Not kept.
# A count after "which"/"name the" ("Which two dialysis techniques …?") left out of the subject and focus terms, so
# that the focus is "dialysis techniques": no question of any set moved. Not kept.
# Quoting, after the best sentence, the next one when it goes on with the list ("Several rescue strategies are
# available … ." "They include a second IVIG dose, …"): the classes set answer-hit 28 -> 29 of 42 (the question
# it was written from), nothing else moved on any set: not kept, since nothing but its source supports it.
# Ninth round (2026-11-26): a bonus for a sentence that enumerates ("A, B and C") when the question asks for a plural
# class ("Which treatments have been reported …?", "What thyroid hormones were raised?"), {0.05, 0.1}: cases tune
# unchanged, the classes set first-quote-hit 18 -> 16 and 15 of 36, validate answer-hit 0.796 -> 0.787, the methods
# check answer-hit 0.875 -> 0.833: not kept. Nor the credit for any class word of the
# question, not only the one it asks for ("How was the steroid tapered?"): tune answer-hit +1, validate -1.
# Follow-ups tune: one turn's answer better ("Did the lesions heal?"), one worse and one ranked lower, through
# the changed quotes of earlier turns (answer-hit 0.84 -> 0.86, recall@1 0.48 -> 0.46); follow-ups validate,
# levels, methods, abstracts, the shipped report and eval-dev unchanged.
# The same bonus and penalty for a question asking the route ("By what route …?", "How was methylene blue
# given?"): a sentence naming one ("by mouth", "an intravenous bolus") states that shape (answer._ROUTE). Seventh
# round (2026-11-26): cases tune answer-hit +1 and first-quote-hit +1 question; no question of any other set
# moved (none asks a route): unverified, but costless.
# Nineteenth round (2026-11-27): the drug a dose question asks about, in the other ways people ask it. A battery of
# 14 phrasings for 10 drugs whose dose a tuning paper never gives ("How much ciclosporin …?", "At what dose was X
# given …?", "What X loading dose …?", "What X regimen …?", "How many milligrams of X …?") refused only 6 of 14 for
# drugs without a drug's stem (ciclosporin, filgrastim, tirofiban, …) and 13 of 14 for those with one: the dose rule
# (Confidence.undosed) found the drug only right before the dose word or after "dose of". Now it also finds it after
# "was"/"were" ("At what dose was X …?"), with a dose's qualifiers between ("X loading dose"), and, for words that
# ask an amount of anything ("How much X", "X regimen"), when the word names a drug by its name: a concept, a drug's
# stem, or a word English seldom uses. AMOUNT_DRUG_ZIPF 3.0 sits between the drugs the tuning questions name this
# way (tranexamic 1.5, ciclosporin 1.2, thiamine 2.3, tPA 2.7, methadone 3.0 is a stem) and the words that ask
# other amounts ("spinal" fluid 3.9, "beta"-blocker 4.2, "diabetes" regimen 4.2, "extra" 5.0).
AMOUNT_DRUG_ZIPF = 3.0
# The same round, measured and not kept: a duration question about a drug's course ("How long was X given …?", "For
# how many days did she receive X?") answered only by a sentence of hers giving a duration of X, else refused (the
# drug counted right after a verb of taking or before "treatment"/"course"; a class concept left out). On a battery
# of four such wordings over the 22 drugs above it refused 32 of 40 for the undosed drugs (0 before: the bot quoted
# any duration of the story, "He reached the hospital only about 40 hours after the ingestion" for filgrastim), and
# the tuning sets did not move (+1 first quote). Checked on the two blind sets (used this round as the check half):
# check8 +1 unanswerable refused, check7 -1 answer (a refusal), at k = 5 and 10. It helps one and hurts the other:
# not kept. Kept from it: a dosing interval ("every 6 hours") is no duration, "on two consecutive days" and "for three
# more weeks" are (nothing moved on any set). Also measured and not kept, for the same reason: reading "What was the
# 54-year-old woman's free T4?", "What value did the X reach …?" and "What was the X result for …?" like "What was her
# X level?" (a battery of 14 wordings over 8 results tuning papers never report: refused 75 -> 91 of 112; tuning
# +1 abstained; check7 -1 answer).
# Measured and not kept this round: a conditional logit over the nineteen sentence features of
# answer.select_sentences, now fit on every tuning set (754 answerable questions with the evidence among the
# candidates, against 150 in the eighth round), held out one set at a time: the first sentence holds the evidence for
# 573 questions with the hand weights and 573 / 576 refitted (L2 toward the hand weights 1 / 0.1), the sets moving
# -1 to +2 either way. Adding features the rules lack (the section by question kind, a number in the sentence, words
# the question lacks, the patient's description repeated, a negation for yes/no) gave 567 to 579, again with per-set
# gains and losses of up to 7: the hand weights are where these features can take the first quote. Also not kept: a
# share asked ("What percentage of …?") needing a sentence of hers with one (no tuning question moved).
# Twentieth round (2026-11-28): a question naming a drug's class ("Was she anticoagulated?", "Was a macrolide part of
# the regimen?", "Was he given steroids?") is answered by the sentence naming the drug ("a heparin infusion", "oral
# azithromycin", "corticosteroids were given"). The vocabulary's classes gained members by INN stem (`members` in
# vocabulary.toml, analysis.MEMBER_STEM: "-floxacin", "-sartan", "-thromycin", "cef-" …; eighteen new classes, stems
# for five old ones), "steroid" as the class above "corticosteroid", and member concepts for heparin, the opioids,
# naproxen and indomethacin (analysis version 27). Two rules follow from it: a dose sentence naming a class or a member
# names its own drug ("She was taking methadone 180 mg per day" is no magnesium dose in a paper whose title names
# magnesium: answer._names), and a class named by an everyday word ("the steroid") is a kind of thing, not a new
# subject that ends a conversation's thread (conversation._names_something). No constant. The classes were chosen as
# the common ones with a stem no other class or English word shares, before the ninth check set's documents were seen.
# Tuning side (774 answerable, 155 unanswerable; k = 10): answer-hit 652 -> 657, first-quote-hit 575 -> 578, recall@1
# 550 -> 551, abstained 122 -> 122, false abstention 14 -> 15 (cases validate, "Did the woman with AML receive topical
# steroids?": her paper ranks ninth, and "@steroid", commoner than the word, left the top passage's coverage under
# abstain_below). Check half (check7 and check8, aggregates only, as in the nineteenth round): answer-hit and false
# abstention unchanged at k = 5 and 10; first-quote-hit check8 +1 (k = 10), check7 +1 (k = 5); recall@1 check7 -1,
# check8 +1.
# Measured the same round and not kept:
# - A soft coverage: a question word missing from a sentence counted by the sentence's closest word (cosine of
#   MiniLM's vectors of the two words alone above 0.5 / 0.6 / 0.7 / 0.8, scaled to [0, 1], weighted by rarity, added
#   with weight 0.05-0.3 to the sentence's score). Over the tuning questions whose evidence is among the candidates,
#   the first sentence holds it for 573 with the hand weights and 568-574 with it, sets moving -3 to +1: no signal.
# - A question naming its patient ("How was scurvy confirmed in the 66-year-old woman with schizophrenia who …?")
#   has its sentences scored partly against the question without that description (analysis.patient_description
#   blanked, encoded as a second vector like a follow-up's own vector; share 0.3 / 0.6): first-quote-hit 578 -> 583 /
#   580, answer-hit 657 -> 654 / 655, validate -2 / -1 answers: it helps one figure and costs the other.
# - Signs and findings in lay words as vocabulary concepts (high blood pressure = hypertension, drooping eyelids =
#   ptosis, shortness of breath = dyspnoea, low potassium = hypokalaemia, convulsion = seizure, blood thinner =
#   anticoagulant, twenty in all). Tuning side: answer-hit 657 -> 659, false abstention 15 -> 14, first-quote-hit
#   578 -> 578 (validate +1 answer and first quote). Check half: check7 +1 answer, check8 -1 answer and +1 false
#   abstention (k = 5 and 10): by the round's rule, not kept.
# Twenty-second round (2026-11-28): check9 and check10 became tuning data (tuning side: 914 answerable, 183
# unanswerable); check11, written at the start of the round, is its blind check (base c99b76a, k = 10: false
# abstention 7/70). Why the bot abstains, by the Confidence field that stopped it (aggregates only on the check half):
# on the tuning side 54 unanswerable questions are refused as undosed and 48 as unmeasured, and of the 11 false
# abstentions 4 are undosed; on check7 and check8 all 6 false abstentions are undosed (3) or unmeasured (3). So the
# round looked at how a dose question names its drug:
# - A class named by what it acts against or by its structure ("the antithyroid drug", "How many milligrams of the
#   tricyclic …?": analysis.CLASS_WORD) is no drug's name: a member's dose answers it (two tuning false abstentions).
# - A question that starts "How long/How soon …" asks a duration and "How quickly/fast/rapidly …" how it went,
#   whatever dose it names ("How quickly did the QRS narrow after her first dose of alkali, and to what width?" was
#   read as a dose question and refused). "How quickly" as a duration was measured too: its duration shape took
#   "four months" over "by the end of the first week" (-2 answers), so it stays a "how" question.
# - A dose question about the dose she went home on ("discharged on", "at discharge", "sent home on") needs a
#   sentence of hers that says so with its dose (answer._AT_DISCHARGE): two unanswerable questions abstained (fresh,
#   check10), none answerable refused. With "after going home" too, one answerable question was refused ("stayed on
#   … after going home" is told as "for the rest of the pregnancy"): left out.
# Together, tuning side k = 10: answer-hit 788 -> 790, first-quote-hit 695 -> 697, abstained 142 -> 144, false
# abstention 11 -> 9, nothing lost; k = 5: 792 -> 794, 695 -> 697, 141 -> 143, 12 -> 10. check7 and check8
# (aggregates, k = 5 and 10) unchanged.
# - A case told in the present tense ("Prednisolone 40 mg daily is started."): in the case's own section a sentence
#   that reads as general only by "is"/"are" is no longer taken for the condition's (answer._whom). Found with a
#   battery of 33 phrasings of a patient's dose in a short case report (three drugs each), where five present-tense
#   phrasings were refused and every past-tense one answered; with the rule all are answered. No question of the
#   tuning side or of check7/check8 moved (k = 5 and 10). Applied to the sections after the case too (treatment,
#   outcome), it quoted "In adults, eculizumab is given as 900 mg …" (a passage running on into the discussion) to an
#   unanswerable question and lost one answer: the case section only.
# - A result in no laboratory unit the level shape knows, right after its test ("The arterial pH was 7.08", "the anion
#   gap was 28", "ESR of 110 mm/h", "The QTc was 560 ms": answer._value_after) states the level a question asks. Found
#   with a battery of ten such results asked three ways: asked as "What was the X level …?" (a level question), six
#   were refused; all are answered with it. "is" is not among the verbs before the value: with it, "pH is 7.0 or lower"
#   in the discussion answered an unanswerable question (check6). No question of the tuning side or of check7/check8
#   moved (k = 5 and 10).
# - A dose in a sentence naming two drugs belongs to the drug named right after it ("2 g of ceftriaxone", "500 mg three
#   times daily of metronidazole"), else to the last one named before it (answer._value_attached): "She received
#   ceftriaxone 2 g daily and metronidazole." gives no metronidazole dose. Before, any dose in a sentence (or in its part
#   joined by "together with", ";" …) naming the drug asked counted as its dose. Found with a battery of eight
#   sentences giving one drug's dose and naming a second without one (three drug pairs each): all 24 questions on the
#   second drug were answered with the first drug's dose; all are refused now, and every question of a battery of ten
#   sentences giving both drugs' doses is answered with the right one. No question of the tuning side or of
#   check7/check8 moved (k = 5 and 10): the writers' unanswerable dose questions there were already refused.
# - How long a drug was given (Confidence.unlasted): a question asking how long the patient had a drug it names by a
#   drug's name ("For how many days was she treated with clindamycin?") is refused when no sentence of hers gives that
#   drug a duration of its own (the same attachment as a dose's), or follows a sentence naming it. Found with a battery
#   (five sentences naming a second drug without a duration beside one with, three drug pairs; seven ways of giving a
#   drug's duration, all still answered). Three tuning questions were refused at first ("How long had the boy with
#   IVIG-resistant Kawasaki disease had red eyes …?", "How long did it take for her hCG to normalise on methotrexate?",
#   and a follow-up whose drugs came from the conversation): the rule now reads only the question's own drugs, spoken
#   of as given ("given X", "on X", "X was continued"), and leaves out "How long did it take / after / until …".
#   Tuning side: one more unanswerable question abstained (check9) at k = 5 and 10, nothing else moved; check7/check8
#   unchanged. The battery's second and third pairs (azathioprine, rifampicin) are not caught: analysis.DRUG_NAME has
#   no stem for them, and a word English seldom uses took the condition for a drug ("endocarditis").
# - A test's value is named in its own clause: "Potassium was requested, and sodium was 118 mmol/L" gives no potassium
#   (answer._NEW_CLAUSE cuts the words before a value, analysis.TEST_NAME_WORDS, at ", and", ", but", "; " …). Found with
#   a battery of six sentences giving one test's value and naming a second without one (three pairs each): this
#   phrasing was the one whose second test was answered with the first's value. No development question moved.
# - Also measured: a yes/no question on a treatment of several words ("Was she given activated charcoal?") refused
#   when only the paper's sentences on the condition name it, as for a named drug. It refused the battery's three
#   such questions, but on the tuning side it refused one answerable question ("digoxin-binding antibody fragments",
#   written "digoxin Fab") and abstained on no more unanswerable ones: not kept.
# - Also measured, not kept: forty more drug names and stems in analysis.DRUG_NAME (azathioprine, rifampicin, digoxin,
#   amikacin, the -triptylines, -stigmines, -teplases …, for the battery's durations): tuning answer-hit -1 (a
#   discussion's adrenaline beat phenoxybenzamine, still no DRUG_NAME) and first-quote-hit +1. And the confidence's
#   coverage taken as the best over the top paper's retrieved passages instead of the top passage's: one unanswerable
#   question answered (check4), nothing gained.
# Measured and not kept: a learned abstention on top of the rules. Over the tuning side's answers that the rules let
# through (667 hits, 29 unanswerable, k = 10), twenty features of the answer (the top passage's coverage and cosines,
# the first quote's cosine, its share of the question's key terms, of the passage's and of the paper's, whether it
# names the focus or the rarest key term, how many key terms the paper lacks, the cited rank, the question's kind …)
# separate them weakly: the best single feature has AUC 0.73 and a logistic regression, cross-validated by set, 0.68.
# Refusing 1% / 2% / 3% of the hits would have caught 2 / 3 / 5 of the 29: a false abstention for each one caught.
# Twenty-third round (2026-11-28): check12, written at the start of the round, is its blind check (base 32c3806, k = 10:
# recall@1 0.529, answer-hit 0.700, first-quote-hit 0.543, abstained 9/14, false abstention 4/70); check11 joined
# check7 and check8 as the check half (aggregates only). Keep rule as before: the tuning side not worse in total, the
# check half losing no answer-hit and no false abstention at k = 5 or 10.
# - A drug's British and American names as one concept (frusemide/furosemide, salbutamol/albuterol, lignocaine/
#   lidocaine, GTN, rifampicin/rifampin, LMWH and its members …; bot/data/vocabulary.toml), a few INN stems in
#   analysis.DRUG_NAME (-prine, -purine, -buterol, -moterol, -meterol, -butamol, rifa-; not "-terol", which took
#   cholesterol), and a concept inside a longer concept's phrase no second subject of the question
#   (analysis._inside_another: "glycated haemoglobin" asks @hba1c, not also @hb, which a paper writing "HbA1c" lacks).
#   Not chosen on a question: the standard pairs, and the battery's names and durations. bench/phrasings.py names
#   17 -> 21 of 22, durations 25 -> 33 of 33. Tuning side first-quote-hit +1 (k = 5 and 10), nothing else moved; the
#   check half unchanged. "benzathine penicillin" among benzylpenicillin's forms answered one unanswerable question
#   (k235, k = 5): the depot salt is not interchangeable, left out.
# - A value whose unit is joined by a hyphen ("a 4-cm mass", "twenty 500-mg tablets") is a size or an amount (analysis
#   SHAPES, _amount; analysis version 29): both were missed, so "How much paracetamol did she take?" was refused as
#   undosed over "She had swallowed twenty 500-mg paracetamol tablets", and a size question would lose the shape
#   bonus. Found while writing bench/phrasings.py's sizes battery. No question of the tuning side or of the check
#   half moved (k = 5 and 10).
# - Six more batteries in bench/phrasings.py (timepoints, reasons, counts, times, sizes, follow-up; 198 probes), written
#   to find phrasings the development sets hold too few of. What they found is mostly abstention: asked when the paper
#   does not say, a count, a time, a size or a follow-up was answered from another value of the same shape in her story
#   ("She had been admitted twice before", "after three days of symptoms", "Prednisolone was given for 6 weeks").
#   Kept, each moving no question of the tuning side or of the check half (k = 5 and 10):
#   - Confidence.untimed: "When was she started on infliximab?" is refused when no sentence of hers names that drug or
#     concept with a time or an event it is told by ("after prednisolone failed": answer._RELATIVE_TIME). Times battery
#     21 -> 24 of 24. Without the events it refused the event-told answers of the battery's own test.
#   - A follow-up's length (Confidence.unlasted): "How long was she followed up?" is refused when no sentence of hers
#     gives a duration with her follow-up ("At 18 months of follow-up …"). Follow-up battery 18 -> 21 of 21. No tuning
#     question asks it; the writers' brief names an unreported follow-up as a typical unanswerable question.
#   - Confidence.uncounted: "How many cycles / sessions / doses / times …?" is refused when no sentence of hers gives a
#     count beside the word counted, "times" or the drug it names (answer._ASKS_COURSES). Counts battery 24 -> 27 of
#     27; tuning: one more unanswerable question abstained ("How many times a day was the clobetasol applied …?",
#     fresh, k = 5 and 10), nothing lost; check half unchanged. With it, "How many doses of rituximab …?" is a count
#     question (analysis._QUESTION_TYPES), not a dose one: "She received three doses of rituximab" has no dose's unit,
#     and the dose rule refused it.
#   - Fifteen common clinical abbreviations whose long form does not spell them (WBC/WCC, CBC/FBC, IOP, FT4, ALP, BAL,
#     DAT, MgSO4, PCC, KCl, TB, G6PD, HLH, ITP, AChE; bot/data/vocabulary.toml): a question writing one over a paper
#     writing only the long form was refused as naming something the paper never mentions (Confidence.missing).
#     Abbreviations battery 11 -> 19 of 20 (PCT left out: also porphyria cutanea tarda). Alone, tuning: one more
#     unanswerable question abstained (check10), and one first quote lost (levels L07: "white cell count" became one
#     subject term, lighter than the patient's description), found to be a question "What was the patient's white cell
#     count …?" not read as asking a test: "the patient's X" now reads like "her X" (analysis._ASKED_THING). Both:
#     tuning recall@1 +1 and abstained +1 (k = 5 and 10), nothing lost; the check half lost nothing (check11, in
#     aggregate: false abstention 6 -> 4 of 70 at k = 10, 6 -> 5 at k = 5; answer-hit +1 at k = 10).
#   - A result written as a label and its value ("Ferritin: 1,250 ng/mL.", three words) is quotable (answer.quotable);
#     levels battery 59 -> 60 of 60. Nothing moved on the tuning side, the check half or the abstracts (k = 5).
#   Measured, not kept:
#   - The same rule for counts, sizes and times together, with the question's own drug, concept or focus word as what
#     the value must stand beside: tuning false abstention 9 -> 15 (k = 10; "How large was the PNH clone?" is answered by
#     "85% of all red cells", "How many more rounds of chelation …?" by "four more times"), no unanswerable question
#     gained. check11 abstained 9 -> 11 of 14, but the rule is chosen on the tuning side.
#   - The same for "How large was the X?" (a sentence naming X with a size or a share; sizes battery 21 -> 24): tuning
#     false abstention 9 -> 11 and answer-hit -1, check7 false abstention 5 -> 6 of 70.
#   - A time question answered by an event as readily as by a date (the value-shape bonus for answer._RELATIVE_TIME
#     too): tuning answer-hit -1 (check5), nothing gained.
#   - FIRST_VALUE_BONUS 0.1 (the timepoints battery's two misses are 0.05 apart): tuning unchanged, check8 answer-hit
#     and first-quote-hit -1 (k = 5 and 10).
#   - The spread of a key term counted over her paper's sentences only, when the question names her (reasons battery
#     26 -> 27): tuning first-quote-hit -1 at k = 5, check7 +1 at k = 10.
#   - Terms of a trailing clause ("… before Listeria was known?") not counted in a sentence's coverage (as in 2026-11-26
#     at half weight, below): tuning answer-hit 790 -> 783.
FOCUS_WEIGHT = 3.0  # "which treatments ...": a sentence naming treatments is likelier the answer
# A follow-up's quote answers what the follow-up itself asks: terms it carries from earlier turns
# only help rank the passages, and count this share when choosing its sentences (conversation tune split).
CONTEXT_TERM_SHARE = 0.2
# (Not kept, 2026-11-26: terms only in a trailing clause the question takes as given, "… when biopsies were
# inconclusive?", at half weight. Tune first-quote-hit -1 question ("… tapered once ciclosporin worked?":
# such a clause also says which event is meant), validate first-quote-hit +1 and answer-hit -1.)
EXTRA_SENTENCE_MARGIN = 0.15  # further sentences must score within this of the best one (and add a key term)
# The reranker (bot.rerank) puts another sentence of the first quote's paper first when its score, less
# RERANK_RANK_WEIGHT x its passage's rank, beats the rules' first quote's by more than RERANK_MARGIN (the
# cross-encoder's logits; a sentence of the top passage beat one of the fifth by 2 at equal scores; by 1 since the
# thirty-sixth round), choosing only
# among the rules' RERANK_SHORTLIST best sentences that no rule marked down (answer.reranked). Thirtieth round
# (2026-11-29): the model fit on cases, fresh and check2-4 (`bench/fit_reranker.py`); the constants chosen on check5,
# check6, check9 and check10 (279 questions the rules answer, their first quote right for 217), offline over every
# sentence of the ten passages: rank weights 0.3 / 0.5 / 1.0 and margins 0-8, best 0.5 and 3 (232 with the first
# quote's paper only; margin 2: 225-230, 4: 228-230, 8: 218; the model alone, no margin: 179). Checked once on the
# check half (check7, 8, 11-13; 337 answered, 226 right): 240. The shortlist was added after the test suite showed
# "… poses significant treatment challenges." put first for "How is calcinosis cutis treated?": 3 / 5 / 8 gave 228 /
# 229 / 230 on check5-10 (231 with neither restriction), and only 3 kept that answer, so 3. As shipped (k = 10):
# check5-10 217 -> 228, the check half 226 -> 236, check14-17 165 -> 172, check18 (blind) 40 -> 38
# (bench/RESULTS.md, thirtieth round). Thirty-second round: the model refit on the whole tuning side (check5, 6, 9
# and 10 too: 859 questions), these constants kept as they were (scaled to its wider scores they lost most of its
# gain, thirty-first round), with answer._drops_the_answer limiting what it may promote: k = 10, the check half
# 236 -> 245 first quotes right, check14-19 243 -> 250, check20 (blind) 40 -> 41, the tuning side 739 -> 741.
# The shortlist chosen again for that model on the tuning side (k = 10, first quotes right / answer-hit against 3):
# 4: +6 / +5, 5: +8 / +7, 8: +9 / +7; 8 put "… poses significant treatment challenges." first again, so 5.
# Checked on the check half: +2 / +3 (k = 5: +3 / +3); check14-19 +4 / +2 (k = 5: +3 / +1), check20 and the
# abstracts unchanged, the shipped report +1 / +1; nothing lost on any set. It scored 3.7 sentences an answer where 3
# scored 2.6, and the real questions' p90 ask rose from 19.3-19.9 to 23.0-24.0 ms (bench/latency.py --real), so the
# reranker still scores at most RERANK_PAIRS sentences, the thirtieth round's bound: the first quote and the three
# best-ranked others the rules allow. Against five unbounded that costs one first quote or answer here and there
# (the tuning side -1 / -1, the check half 0 / -1, check14-19 -3 / -2; k = 10) and keeps the cost of the slowest asks.
# Thirty-sixth round: a question's pairs are scored on two threads (bot.rerank.PAIR_WORKERS), which took the real
# questions' ask from 3.00x to 2.53-2.69x its floor (p90 23.0 -> 19.1-19.5 ms), so the bound was measured again: 5
# (the first quote and every sentence the shortlist allows; 6 changed nothing) against 4, k = 10, first quotes right /
# answers: the tuning side +2 / +2, the check half +1 / +1 (k = 5: unchanged), check14-23 +4 / +3, the extra set,
# abstracts, shipped report and eval-dev unchanged, no question lost and no abstention moved on any set; 3.8 sentences
# scored an answer, not 3.4, and the real questions' ask 2.64-2.72x its floor (p90 20.8-22.1 ms), still under the
# sequential 3.00x. So 5.
# The margin again, the same round, for the refit model (never re-chosen for it), against 3, k = 10, first quotes right
# / answers: 2: the tuning side +8 / +3 (the model was fit on most of it, so it favours any lower margin), the extra set,
# the one tuning set the model never saw, +0 / +2 (k = 5: +1 / +3); 1: the tuning side +22 / +12, the extra set as 2.
# Checked on the check half: 2 gives +1 / +1 at k = 5 and 10; 1 gives -3 / +3 (a first quote lost to a sentence the
# model prefers by little). check14-22 at 2: +8 / +5 (check23 -1 / 0), the abstracts +2 / +1, the shipped report and
# eval-dev unchanged; no abstention moved on any set. So 2.
# Then the rank weight with margin 2, against 0.5, k = 10, first quotes right / answers: 0.25: the tuning side +4 / +2,
# the extra set +1 / 0; 0: the tuning side +8 / +4, the extra set +1 / 0; 1.0: the tuning side +2 / +2 but the extra set
# -1 / -1. Checked on the check half: 0.25 unchanged (k = 5 too), 0 -4 / -1 (k = 5: -2 / 0). check14-23 at 0.25: +4 / +1,
# the abstracts +1 / 0, the shipped report and eval-dev unchanged; no abstention moved. So 0.25: a sentence of the
# fifth passage beats one of the first at equal scores by 1, no longer 2.
RERANK_RANK_WEIGHT = 0.25
RERANK_MARGIN = 2.0
RERANK_SHORTLIST = 5
RERANK_PAIRS = 5
# (A further quote about the other side than the best one, patient vs condition, left out: quotes per answer
# tune 1.75 -> 1.74, nothing else moved on either half; not kept.)
# Requiring a further quote to add a key term the others lack took quotes per answer from 2.44
# to 1.81 (tune) and 2.51 to 1.89 (validate), at a cost of 4 and 3 points of answer-hit; a
# tighter margin (0.08, 0.04) cut answer-hit further without raising first-quote-hit, so 0.15 stays.
RESTATE_PENALTY = 0.1  # a case report announcing its case ("we report a patient who …"), for questions
# asking for a finding. Grid {0, 0.1} on cases tune: first-quote-hit +0.9 points tune, +1.8 validate.
# A novelty claim ("To the authors' knowledge, calciphylaxis had not been reported in a patient … taking
# warfarin") counts as an announcement since 2026-11-26: tune answer-hit 0.814 -> 0.831, first-quote-hit
# 0.686 -> 0.695 ("Was the 72-year-old woman taking warfarin?"); validate, follow-ups, shipped report,
# eval-dev and abstracts unchanged (validate has one such sentence, which no question reaches).
AIM_PENALTY = 0.3  # a study's aim ("To determine whether X reduces Y"), which never states the finding.
# Until 2026-11-26 aims shared RESTATE_PENALTY. Grid {0.1, 0.2, 0.3, 0.5} on the abstracts tune
# half (k=5), where aims abound: answers whose first quote restates an aim 1 / 0 / 0 / 0 of 47, with
# any quote restating one 3 / 1 / 0 / 0 ("To determine whether compression sleeves … reduce arm
# swelling." was the whole answer to "Do compression sleeves prevent arm swelling?"); first-quote-hit
# and answer-hit unchanged (the gold is the results sentence, and the conclusion now quoted answers
# too). 0.3 kept. Validate: any quote restating an aim 6 -> 0 of 49, answer-hit 0.36 -> 0.38. The
# same penalty on announcements cost eval-dev two answers ("We report a patient … who responded
# therapeutically to weekly alendronate" held them), hence the two penalties.
LATER_DOSE_PENALTY = 0.1  # for a question asking the dose a drug was started on (answer._STARTING_DOSE), a
# sentence giving a maintenance dose or one it was reduced, tapered or raised to. Sixteenth round (2026-11-27),
# grid {0.1, 0.2} on the tuning side (k = 10): answer-hit and first-quote-hit +1 each on check3 ("What steroid dose
# was the baby started on?" got "cut back to a maintenance dose of 0.5 mg/kg/day") and check4 at both; 0.2 also
# shortened one more answer. 0.1 kept. Validate and the follow-ups unchanged. (FIRST_VALUE_BONUS for "started on"
# moved nothing: the later dose sentence names "dose", the starting one often does not.)
TITLE_LINE_PENALTY = 0.3  # a paper's first line when it reads as a title (no full stop, no section above it): the
# title of a text file names the condition, the patient and the treatment, so it matched every question about
# her and was quoted first ("Why was the amphotericin course cut to three days?" got the title, which says only
# "short-course amphotericin B"). Sixteenth round (2026-11-27), grid {0.1, 0.3} on the tuning side (k = 10):
# check4 first-quote-hit 0.671 -> 0.700 at both, check2 answer-hit +1 at 0.3 only, nothing lost; 0.3 kept (the
# size of AIM_PENALTY, also a sentence that restates rather than answers). Validate unchanged. The fifteenth
# round's 0.1 for the same line as a restatement moved nothing: check4, which has these titles' long
# descriptive form, was then blind.
METHODS_PENALTY = 0.2  # a sentence of a methods / design / setting / participants section, for a question
# about a study's outcome (answer.OUTCOME_KINDS: yes/no, how often, what share): "Prospective cohort of
# 2,345 women …" was quoted to "What is the success rate of a trial of labour?", "Randomised controlled
# trial of 307 women …" to "Do compression sleeves prevent arm swelling?". Grid {0, 0.1, 0.2} on the
# abstracts tune half (k=5), applied to yes/no and value questions: first-quote-hit 0.18 -> 0.24 / 0.24,
# answer-hit 0.32 -> 0.34 / 0.34, quotes per answer 2.02 -> 2.00 / 1.93; 0.2 kept. The gain came from
# count questions (yes/no alone: none), and a dose question is answered by the methods of a trial (a
# test: "What minocycline dose was used?"), so the penalty is kept to yes/no and count questions (tune
# figures the same). Validate: first-quote-hit 0.24 -> 0.26, answer-hit 0.36 -> 0.38. Case reports have
# no such sections: cases, follow-ups, shipped report and eval-dev unchanged.
INTRO_PENALTY = 0.1  # the sentence introducing the patient ("A 55-year-old woman with …"), unless the question
# asks her age, presentation or history (answer._ASKS_PRESENTATION): the questions name her, so it matched
# their words ("What triggered the 55-year-old woman's stress cardiomyopathy?"). Grid {0, 0.05, 0.1, 0.2}
# on tune (k = 10): first-quote-hit 0.669 -> 0.678 / 0.695 / 0.703, answer-hit 0.797 -> 0.797 / 0.805 /
# 0.805. 0.1 kept, not 0.2: one tune question apart, and a penalty on sentences that do answer some
# questions should be the smallest that works. Validate at 0.1: first-quote-hit 0.611 -> 0.630, answer-hit
# 0.750 -> 0.759; conversations: tune unchanged, validate recall@1 0.565 -> 0.522 (recall@5, answer-hit
# and first-quote-hit unchanged; 0.2 cost it 0.478). (A penalty for
# "options include …" sentences on yes/no questions changed nothing on either half: dropped.)
# Twenty-first round (2026-11-28): whether a question asks how she presented is read outside the words naming her
# ("the young man admitted after a crash", "the woman who drank …" matched "admitted" and "who"), and a description
# goes on past a comma that continues its list ("the man with sudden headache, confusion and a drooping eyelid"), so
# those words no longer count as asked. Tuning side (774 answerable), k = 10: first-quote-hit 578 -> 582; k = 5:
# 577 -> 581, answer-hit 660 -> 661; nothing else moved; check7 and check8 (aggregates) unchanged at k = 5 and 10.
# "came" asks it only as "came in" / "came to" ("What came out of the ulcerated nodules?" is not answered by "A
# 14-year-old boy … came to the dermatology clinic with hard nodules"): tuning side answer-hit 663 -> 664 at k = 10,
# unchanged at k = 5; check7 and check8 unchanged. The introducing sentence may also begin "The patient was a Belgian
# man aged 40 …" (answer._INTRODUCES): tuning side answer-hit 665 -> 667 and first-quote-hit 593 -> 595 at k = 10
# (k = 5: 668 -> 670, 592 -> 594); check7 first-quote-hit 0.657 -> 0.700 at k = 5 and 10, check8 unchanged.
OTHER_SIDE_PENALTY = 0.2  # a sentence naming only the other side of the body than the question (analysis.sides)
# Added 2026-11-26 after a cases tune miss ("What did pathology show when the right tube and ovary were taken out?"
# was answered by the left salpingo-oophorectomy). Not tuned: ABOUT_PENALTY's value, the same kind of mismatch
# (0.1-0.3 give the same figures). Cases tune first-quote-hit +1 question at k = 5 and 10; nothing else moved on
# any set (validate, follow-ups, abstracts, shipped report, eval-dev).
ABOUT_PENALTY = 0.2  # a sentence about the patient for a question about the condition in general, or vice versa
# (analysis.about). Issue 11's "How is calcinosis cutis diagnosed?" was answered with when the
# patient's dermatomyositis was diagnosed. Grid {0, 0.05, 0.1, 0.15, 0.2, 0.3} on tune (k = 10):
# first-quote-hit 0.610 -> 0.661 and answer-hit 0.746 -> 0.797 at 0.2 (0.15-0.3 a plateau, 0.2 its
# middle); validate 0.546 -> 0.574 and 0.685 -> 0.704; shipped report 0.731 -> 0.846 and 0.808 ->
# 0.885; eval-dev first-quote-hit 0.429 -> 0.476. Recall is unchanged (it acts on sentences only).
# A follow-up that names no one ("And the oral follow-on regimen?") takes whom from its conversation
# (retrieve.Retriever._whom): conversation tune first-quote-hit 0.519 -> 0.556, validate answer-hit
# 0.783 -> 0.826, nothing else moved.
# A heavier penalty (0.3 / 0.4 / 0.6) for a sentence about the condition when the question is about the
# patient ("In crisis, mechanical circulatory support … may be needed" for "What support did the
# 42-year-old need?"), 2026-11-26: tune first-quote-hit 0.737 -> 0.746 / 0.754 / 0.754 (k = 10), validate
# and follow-ups unchanged at every value: not kept (one half only). Reading "consists of", "relies on",
# "requires", "in general" as statements about the condition: no change at k = 10, tune answer-hit and
# first-quote-hit -1 question at k = 5: not kept.
# "How quickly / how fast / how rapidly" read as duration questions: tune recall@1 0.746 -> 0.754 and
# first-quote-hit 0.737 -> 0.746, follow-ups tune answer-hit 0.778 -> 0.741, validate unchanged: not kept.
# "happened" and "to" left out of a question's focus ("What happened to the skin lesions?"): no change.
# A causal-connective shape for "why" questions ("because", "due to", "so", "precipitated", with the
# value shapes' bonus and penalty): tune first-quote-hit 0.737 -> 0.712, validate unchanged: not kept.
# Tried with it and not kept: the words of a trailing clause that sets the scene ("… when the right
# ovary was taken out?", "… the infant who swallowed dapsone?") counted as context for every sentence
# of a passage that has them: tune first-quote-hit +1 question, validate -1 (answer-hit -1), conversation
# tune answer-hit 0.741 -> 0.704; the words naming which patient is asked about ("the 55-year-old woman")
# counted as context for every sentence of a passage that has them, so the sentence introducing her
# is not taken for the answer (no change on either half); for a yes/no question about the patient, leaving out sentences about
# the condition in general (no change on either half) or abstaining when no sentence about her
# names the asked-about term (false abstention validate 0.019 -> 0.093). Abstaining on a value question
# ("What was her ferritin?") when no sentence of the top passages has both its rarest own term and a value
# of the shape asked: false abstention tune 0.017 -> 0.212 (the rarest word is often the question's own
# paraphrase): not kept.
# Abstaining when the thing a "What was the X of <the patient>?" question asks for (X: "ferritin", "BNP",
# "24-hour urinary copper") is not in the retrieved sentences of the top paper (2026-11-26): tune 4 more
# unanswerable questions abstained and no answerable one, validate 2 more abstained but 2 answerable
# refused ("spinal fluid protein" is written "CSF protein"; "the final diagnosis"), false abstention
# 0.019 -> 0.037, over the issue's 3%: not kept. With "What X did …" too: 7 and 9 answerable refused.
# Weighting the key terms found only in the trailing words that name the patient ("… in the student with
# sore throat and fever") at {0.5, 0.2, 0} of their weight when choosing sentences (2026-11-26): tune
# first-quote-hit 0.686 -> 0.703 / 0.720 / 0.686 but answer-hit 0.805 -> 0.788 / 0.788 / 0.780; validate
# unchanged or worse (first-quote-hit 0.630 -> 0.620 / 0.630 / 0.602); follow-ups validate answer-hit
# 0.913 -> 0.870: not kept.
# Kept in the fourteenth round (2026-11-27): the words by which a question names its patient ("the diabetic,
# hypertensive 49-year-old", "in the jaundiced teenager with a very high ferritin", analysis.patient_description)
# are left out of the terms a sentence is scored on (answer.select_sentences: Query.description), while they still
# find her paper and stay in the coverage's total. Found on the check2 set's misses (blind run: answer-hit 0.706),
# where 8 of 29 first quotes were the sentence introducing the patient or repeating her description. The two
# earlier forms above (counted as present in every sentence of a passage that has them) and a third tried now
# (present in every sentence of a paper that has them: a paper whose introduction was not retrieved lost to one
# whose was, "the Caucasian man") did not help. Effect at k = 10 with this round's other changes, against the same
# code without it: answer-hit / first-quote-hit cases tune 0.890 / 0.831 -> 0.881 / 0.847, classes 0.750 / 0.500
# -> 0.778 / 0.583, fresh 0.786 / 0.686 -> 0.786 / 0.686, check2 0.706 / 0.588 -> 0.750 / 0.632, check3 first half
# 0.657 / 0.571 -> 0.686 / 0.571; follow-ups 0.86 / 0.70 -> 0.84 / 0.68, levels first-quote-hit 0.85 -> 0.95,
# methods answer-hit 0.875 -> 0.917; quotes per answer fall everywhere (cases tune 1.63 -> 1.51). Validate, run
# once after the choice: answer-hit 0.796 -> 0.806, first-quote-hit 0.713 -> 0.722 (see bench/RESULTS.md).
# Leaving them out of the total as well (the weight 0 of the attempt above): cases tune answer-hit 0.856: not kept.
# Also measured in the fourteenth round and not kept: ABOUT_PENALTY 0.3 / 0.4 again (fresh answer-hit -1 at both,
# nothing gained anywhere); quoting only sentences that contain at least one of the question's terms (check2
# answer-hit 0.750 -> 0.721: "What dose of the aminoglycoside …?" is answered by "streptomycin 0.75 g").
# Not kept either: a dose stated in a sentence about the condition in general ("Oral prednisolone at about 1 to
# 2 mg/kg per day is commonly used …, and intravenous immunoglobulin has been tried") no longer counting as the
# patient's dose (answer._states_dose): unanswerable abstained check2 6 -> 7 of 16 and check3's first half 3 -> 5
# of 7, nothing lost on the tuning side, but validate, run once, refused one more answerable question (2 -> 3 of
# 108) and lost an answer and a first quote.
# Fifteenth round (2026-11-27), kept, with check3 now all tuning data and check4 the blind check: that attempt again,
# in answer._on_the_condition (present tense, or naming no one in an introduction or discussion), with "24 million
# units" read as a dose (validate's refusal above was "He was given intravenous penicillin G, 24 million units daily
# …", whose dose the shape did not see): unanswerable abstained check2 7 -> 8 of 16, check3 6 -> 9 of 14, no
# answerable question of any tuning set moved. Validate, run after: unanswerable and refusals unchanged (13/15,
# 2/108); the dose shape lost its "What penicillin regimen … first?" answer to the repeated course's sentence
# (answer-hit 0.815 -> 0.806, first-quote-hit 0.731 -> 0.722). Then, in answer.dose_drugs, any word next to the
# dose word is the drug asked unless it says which dose ("highest", "weight-based") or names a class, with more
# class words (aminoglycoside, macrolide, …), more drug stems (allopurinol, febuxostat, the vinca alkaloids,
# colchicine) and levothyroxine = thyroxine: unanswerable abstained fresh 8 -> 9 of 14, check3 9 -> 12 of 14, no
# answerable question of any set moved (validate included). Without the class words "What dose of the
# aminoglycoside …?" refused; without the qualifiers "the highest dose used" and "weight-based dose" did.
# Not kept in that round: the question's focus word ("Which Leptospira serovar …?", "Which gene mutation …?")
# counting as missing (Retriever.missing) when rare in English and absent from the paper: unanswerable abstained +3 (fresh 2,
# check2 1), but 13 answerable questions refused (tune 5, classes 5, check2 2, validate 2: "the echocardiogram"
# answered by "echocardiography"). And a yes/no question whether she had a non-drug treatment ("given
# anticoagulation?", "treated with plasma exchange …?") abstaining when no retrieved sentence of hers names it:
# no unanswerable question moved, four wrong answers became refusals.
# Also not kept in the fifteenth round: leaving the words that name the value asked ("level", "dose") out of a
# value question's coverage (validate first-quote-hit -1, nothing gained); "steroid(s)" as a form of the
# corticosteroid concept (check3 answer-hit +1, validate and follow-ups -1 each); marking down a paper's untitled
# first line (its title in a text file) as a restatement (no answer moved).
# Sixteenth round (2026-11-27): check4, blind in the fifteenth round, became tuning data once a fifth blind set
# (check5) had been written and run on the round's base. Each change was chosen on the tuning side at k = 10
# (cases tune, classes, fresh, check2, check3, check4), then checked on validate:
# - answer._dose_beside: in a sentence whose parts are joined by "together with", "along with", "followed by",
#   ";" …, the dose asked must stand in a part naming the drug (a part naming none continues the drug before
#   it): "2 g of magnesium sulfate together with calcium gluconate" gives no dose of calcium gluconate. And a
#   dose sentence naming no drug speaks of the drug of the sentence before it ("She was started on prednisone
#   30 mg. The dose was then lowered …"), before the paper's title. Unanswerable abstained check4 +2. A first
#   form, without the continuing part, cost validate one answer ("followed by 15 mg weekly" shapes); with it
#   validate is unchanged. "20,000 U/kg" is now a dose (it was found only through "2 g/kg" beside it).
# - A yes/no question whether she had a treatment ignores a sentence of a general section that names no one
#   (answer._on_the_condition, as the dose rule does): check4 abstained +1 ("Secondary prophylaxis then
#   continues with benzathine penicillin …" in the discussion).
# - "What triggered …?", "What was thought to have set off …?" ask why (analysis._QUESTION_TYPES), and "attributed
#   to", "caused by", "triggered", "secondary to" state a cause (answer._CAUSAL): check4 +1 answer and first quote.
#   The question side alone moved no hit; the two together also add a quote to two tune answers.
# - A three-word sentence that states something ("Nothing suggested amyloidosis.") is quotable: check4 +1.
# - Vocabulary: G-CSF = granulocyte colony-stimulating factor, plasma exchange = plasmapheresis: check4 +2 answers;
#   later an anti-CD20 class with rituximab and its kin as members (as TNF inhibitors have infliximab): check3 +2
#   answers, both false abstentions before ("the anti-CD20 drug" of a paper naming only rituximab).
# - Then: "10 seconds" is a duration (check4 +1 first quote); "get better", "recover" ask for the outcome section
#   (analysis._ASKS_LATER: recall@1 +1 on check3, check4 and the follow-ups); the title line is the paper's whole
#   first line, which the sentence splitter may cut ("… jsicm vol. 7 no. 1)"): no hit moved, one title fragment
#   less quoted beside an answer.
# - A dose question abstains when no sentence of her paper states a dose, whether or not it names a drug the bot
#   knows ("How much ethanol was infused …?": ethanol has no drug-name stem, so the rule above never ran):
#   check2 unanswerable abstained 8 -> 9 of 16; nothing else moved on any set, validate included. Only for a
#   question about the patient when it names no drug: the abstracts' "How much shorter are adults who took
#   stimulants …?" is typed a dose question, and refused on this rule, asks the size of an effect (abstracts false
#   abstention 3 -> 4 of 100 without the condition, back to 3 with it).
# - Not kept: "units per hour", "at what rate … infused" as dose questions (they are counts today): no
#   unanswerable question moved, one answer longer. A sentence naming another place in a series than the question
#   ("a second run" for "the first run", penalised like the other side of the body): nothing moved once "10
#   seconds" was a duration; the words
#   naming the patient by how she came in ("the man admitted after a crash") not counting as asking how she
#   presented: nothing moved; a bonus (0.1 or 0.2) for her sentences naming the treatment a "Was she given X?"
#   question asks about: first-quote-hit +1 on check3, -1 on check4, fewer quotes per answer, nothing else.
#   "How much X …?" naming the drug asked (check4 +1 abstained; check2 and check3 each refused one,
#   "How much beta-blocker …?" named a class, "How much tPA …?" an abbreviation of the paper's); "started on" as
#   asking the first dose (nothing moved); "admitted" = "admission" (a wrong answer on fresh became a refusal,
#   one tune answer lost).
# A logistic sentence scorer fit on tune (C 0.1-10) did not beat these hand weights on either half.
# Twenty-fifth round (2026-11-28), with six times the data: every additive term of the answer's sentence score (the
# three weights above and the rules' 19 bonuses and penalties, W_SEMANTIC fixed as the scale) refit listwise on the
# tuning side's 849 single questions whose evidence is among the candidate sentences, two folds split by documents,
# an L2 pull towards today's values (lambda 0.001 to 1). The hand weights put the evidence first for 337 of 434 and
# 326 of 415; each fold's fit, applied to the other fold: 329-335 and 319-323. With six more features (the share of
# the patient's description a sentence repeats, whether it holds a number, its length, whether its passage ranks
# first, the share of the asked terms it holds, holding none of them) and the adapted cosine (bot/adapter.py):
# 331-335 and 325-331 (the best fit for the second fold, +5, cost the first 5). No fit beat the hand weights on both
# folds: the misses need information the score lacks, not other weights. Where the evidence is second (78 of 849),
# it trails the first by a median 0.055.
# A yes/no question whether the patient had a treatment ("Was sodium thiosulfate given to this patient?", "Did
# she respond to rituximab?": analysis.received) is not answered by a sentence on the condition in general,
# and abstains when only such sentences name the treatment (the shipped report lists both drugs among the
# "therapeutic options" and never says she had either; issue 11 quoted that list as the answer). Eighth round,
# 2026-11-26: no question of any development set moved, answerable or not. Without the verbs of receiving, "Did the
# Whipple patient on anti-TNF have neurological symptoms?" abstained (tune false abstention 3 -> 4 of 118); without
# the concepts whose phrases hold a drug's word ("immunoglobulin" in "intravenous immunoglobulin", named "IVIG"
# by the paper), "Did the 2-year-old get a second round of immunoglobulin?" did. The earlier attempts above
# abstained whenever no sentence about her named the term.
# Requiring the added term to weigh at least the mean term weight cut quotes to 1.42 / 1.37 but
# answer-hit fell 9 and 7 points (tune / validate, k = 10): not kept.

# A question that says which patient it asks about (her age, "the 12-year-old": retrieve.W_DESCRIBED_DOC;
# or the papers a conversation has quoted) is answered from her papers only, when they are among the
# retrieved passages (answer.select_sentences; questions about the patient, analysis.about, not about
# the condition). "How much weight had the 12-year-old lost?" was answered "A 60-year-old man had lost
# 15 kg over one year." from another paper: a quote about someone else. Measured as a penalty on other
# papers' sentences, grid {0, 0.05, 0.1, 0.2, 0.3, 0.5, exclusion} on tune (k = 10, 2026-11-26):
# answer-hit 0.831 -> 0.839 / 0.839 / 0.847 / 0.847 / 0.847 / 0.847, first-quote-hit 0.695 -> 0.703 /
# 0.703 / 0.712 / 0.712 / 0.712 / 0.712. From 0.2 on, no other paper's sentence is quoted on any set,
# so the rule is the exclusion, which needs no constant (with two papers, a penalty of 0.3 still let
# the 60-year-old's sentence in as a further quote). Validate: answer-hit 0.759 -> 0.769,
# first-quote-hit 0.648 (unchanged), recall unchanged (it acts on sentences only); follow-ups tune
# first-quote-hit 0.556 -> 0.593, validate unchanged; shipped report and eval-dev unchanged. Excluding
# every paper but the top passage's instead (the top paper may be the wrong one: recall@1 is 0.71):
# tune +2 answers, validate -1. Other papers' sentences still weigh the question's terms (a term in
# every retrieved sentence cannot tell the answer apart): leaving them out before that cost follow-ups
# validate answer-hit 0.913 -> 0.870, as the earlier "quoting only from the described papers" did.

# --- Follow-ups (bot/conversation.py decides what context a follow-up carries) ----------------
# Chosen on the conversation tune rows of bench/data/cases (27 answerable follow-up turns after
# issue 10 added 25 rows), checked on validate (23), conversations replayed at k = 10. A follow-up
# missed mostly because its context outweighed it: the earlier question counted as much as the
# follow-up itself, so the passage the previous turn quoted came first (recall@1 tune 0.33,
# validate 0.17) and its sentences, repeats of the earlier answer, were quoted first.
CONTEXT_WEIGHT = 0.5  # context terms weigh this share of their turn's weight next to the follow-up's own terms
OWN_VECTOR_SHARE = 0.5  # the follow-up's dense vector: this share of the question alone, the rest question + context
SENTENCE_OWN_SHARE = 0.7  # its sentences' cosines: this share against the question alone, the rest as searched
# Grid {1, 0.5} x {0, 0.5} x {1, 0.7} with the paper preference (retrieve.W_PREFER_DOC) {0.05, 0.3}:
# from (1, 0, 1, 0.05) to (0.5, 0.5, 0.7, 0.3) recall@1 went 0.333 -> 0.481 tune, 0.174 -> 0.391
# validate; answer-hit 0.630 -> 0.704 and 0.522 -> 0.609; first-quote-hit 0.296 -> 0.333 and
# 0.348 -> 0.435. (0.5, 0.5, 1, 0.3) tied on tune; 0.7 keeps some context in the sentence choice,
# which "when those failed, what was tried next?" needs (its own words match no sentence).
REPEAT_PENALTY = 0.05  # a sentence an earlier turn of the conversation quoted (any of its quotes)
# Grid {0, 0.05, 0.1, 0.2} x {best quotes only, all quotes}: 0.05 on all quotes raised first-quote-hit
# 0.333 -> 0.407 tune, 0.435 -> 0.478 validate (answer-hit 0.704 -> 0.667, 0.609 -> 0.652); 0.2
# cost answer-hit on both halves (the earlier answer sometimes is the answer: "how much aspirin
# was in that first regimen?"). Not kept, quotes per follow-up (2.3 tune, 2.6 validate): a tighter
# margin for follow-ups' further quotes (0.10, 0.06, 0.03) gave 2.11 / 1.89 / 1.54 quotes on tune
# but answer-hit fell 0.667 -> 0.556 / 0.519 / 0.481; requiring a further quote to add one of the
# follow-up's own terms (not a context term) gave 1.6 quotes at half the answer-hit.

# --- Abstention (answer.Confidence) -----------------------------------------------------------
# Chosen on the tune half of bench/data/cases by a grid over (coverage threshold 0.15-0.3,
# sentence cosine threshold 0.2-0.45, missing-identifier rule on/off), keeping false abstention
# on tune at most 3% with a margin. Coverage 0.15 (the `abstain_below` setting), cosine 0.20 and
# the identifier rule: tune 0.40 of unanswerable abstained / 0.017 false; validate 0.40 / 0.019
# (before: tune 0.13 / 0.017, validate 0.27 / 0.028 with abstain_below 0.26 on a k-dependent mean).
# Cosine 0.25 abstained on one more tune question at the same false rate but sits nearer the
# answerable questions (short ones like "Which muscles were weak?" score 0.23): 0.20 keeps a margin.
# A request whose object no passage mentions ("Write me a poem about kidneys", "Tell me a joke about
# cats": analysis.requested, Retriever._unknown_request) is abstained on like a missing identifier. Its
# subject can be in the papers, which gave the off-topic "Tell me a joke about cats." a confident quote
# from the cat-scratch report (follow-ups tune: off-topic abstained 2/3 -> 3/3); no other question of
# any development set changed, false abstention included.
# A question for a test's result ("What was her PTH-related protein level?", "What bicarbonate value
# …?": analysis.measured) is answered by a sentence naming the test next to a laboratory value
# (analysis.SHAPES["level"]: "11.6 pmol/L", "1:4", "pH 7.42"); when no retrieved sentence of the
# patient's paper has one, the paper did not report it (answer.Confidence.unmeasured). No constant.
# 2026-11-26, k = 10: tune unanswerable abstained 6/15 -> 8/15 ("the plasma metanephrine values of the
# 42-year-old", "the absolute eosinophil count of the 39-year-old": their papers say the tests were
# done, never their values), answer-hit 0.847 -> 0.856, first-quote-hit 0.712 -> 0.720 (the PTH-rp
# value quoted before "PTH-rp could no longer be detected"), false abstention unchanged. Validate has
# three level questions (one unanswerable, already abstained): nothing moved; neither did follow-ups,
# the shipped report, eval-dev or the abstracts (k = 5).
# Then "What was the X of …?" / "What X did … have?" (analysis.measured), when X is a test: the question
# names a specimen ("serum sodium") or a passage of the index gives X a laboratory value with X's name
# just before it (retrieve.TEST_NAME_REACH: "ferritin 114 ng/mL"; "outcome" never has one). The check
# is on the test's own words, not its specimen ("sodium", not "serum"), and every word of a several-word
# test must stand before the value ("corrected calcium 2.9 mmol/L" does not make "corrected QT" a
# test: with any one word, three answerable questions on QT interval and body mass index were refused).
# With British spellings joined to American ones ("caeruloplasmin", analysis._SPELLING): tune
# unanswerable abstained 8/15 -> 10/15, validate 5/15 -> 6/15, false abstention unchanged on both
# halves, follow-ups, shipped report, eval-dev and abstracts unchanged. On bench/data/cases/levels.jsonl
# (written by a separate writer; looked at while building this rule, so a weaker check than validate):
# unreported results abstained 7/20 -> 12/20, false abstention 0/20. Such a question then also expects
# a laboratory value (the value-shape bonus above; before, only "… level" questions did): tune recall@1
# 0.737 -> 0.746, first-quote-hit 0.737 -> 0.746 (k = 10) and 0.746 -> 0.754 (k = 5), validate, follow-ups,
# shipped report, eval-dev and abstracts unchanged; levels check set recall@1 0.70 -> 0.80,
# first-quote-hit 0.65 -> 0.80. Requiring every word of the test in the patient's sentence (not one of
# them): tune unanswerable abstained 10/15 -> 12/15 but false abstention 2 -> 3 of 118, shipped report
# 0 -> 1 of 26: not kept.
# A drug the question names (analysis.DRUG_NAME: "What propranolol dose …?", "Was rituximab given?") that
# the top paper never names is missing like an identifier (Retriever.missing): the issue's "asked the IVIg
# dose, quoted the rituximab dose". 2026-11-26, k = 10: abstracts, papers not indexed, abstained 38 ->
# 41 of 50 (odd) and 33 -> 35 of 50 (even), false abstention unchanged (3/50, 1/50); cases validate,
# follow-ups, shipped report and eval-dev unchanged; cases tune one answerable question refused ("What
# co-trimoxazole dose …?": the paper writes trimethoprim/sulfamethoxazole, a synonym the vocabulary does
# not list), false abstention 2 -> 3 of 118, answer-hit 0.864 -> 0.856. Kept for what it prevents (another
# drug's dose quoted). Likewise a dose question naming a drug counts a sentence as stating the dose only
# when it names that drug (answer.select_sentences): "What infliximab dose did the 2-year-old receive?"
# quoted "IVIG at 2 g/kg, oral prednisolone at 2 mg/kg/day …" first (a test). No development question
# moved; follow-ups keep their context's drug unnamed ("And the dose?": counting it cost follow-ups tune
# answer-hit 0.778 -> 0.704).
# The same test for abstaining (answer.Confidence.undosed, 2026-11-26): a dose question naming a drug
# ("What tocilizumab dose did the 65-year-old receive?") abstains when no retrieved sentence of the
# patient's paper states a dose of it ("She went on to tocilizumab" is not a dose); "How many mg/kg of
# X …?" now reads as a dose question (analysis._QUESTION_TYPES), not a count. No constant. Found by
# reading validate's unanswered questions (six of its nine confident answers to unanswerable questions
# were such doses), so validate is not a blind check of it: validate unanswerable abstained 6/15 ->
# 10/15 (k = 10) and 6/15 -> 11/15 (k = 5); tune (10/15), false abstention on both halves (3/118,
# 2/108), follow-ups, shipped report, eval-dev and abstracts (76/100 unindexed, 4/100 false) unchanged.
# Then the drug asked is the first the question names, with any listed along with it (answer.dose_drugs):
# "What dose of olanzapine was the 62-year-old with lithium toxicity started on?" was answered by lithium
# levels; and "-uracil" joined the name stems (propylthiouracil). Validate unanswerable abstained 10/15 ->
# 11/15, tune 10/15 -> 11/15 (k = 10); nothing else moved on any set.
# Not kept (2026-11-26): an acronym or letter-digit identifier as the thing a "What was the X of …?"
# question asks ("BNP", "G6PD enzyme activity") counted as a test, so an unreported result abstains:
# tune unanswerable unchanged and false abstention 3 -> 4 of 118; validate 11/15 -> 13/15 but false
# abstention 2 -> 3 of 108 (one half only, and a cost on both).
# Not kept (2026-11-26): for "How was X confirmed / diagnosed / proven / detected …?", the value shapes'
# bonus and penalty for a sentence naming a test and what it showed ("established by skin biopsy",
# "Slit-lamp examination revealed …"): tune first-quote-hit 0.737 -> 0.763 and answer-hit 0.856 -> 0.864
# (k = 10); validate has one such question: unchanged; the check set written for it
# (bench/data/cases/methods.jsonl) first-quote-hit 0.25 -> 0.29 but answer-hit 0.83 -> 0.75. The bonus
# alone, no penalty: tune the same gain, validate unchanged, check set answer-hit 0.83 -> 0.88 but
# first-quote-hit 0.25 -> 0.21. (Kept later the same day in another form: FINDING_BONUS for such questions,
# with "established by …" counting as a finding; the check set then gained on both, see FINDING_BONUS.)
# Not kept (2026-11-26, seventh round): "how quickly / how fast / how rapidly" read as a duration question like
# "how soon": cases tune recall@1 and first-quote-hit +1 question each, but follow-ups tune answer-hit -1 (a
# later turn lost its third quote through the changed context); validate has no such question.
# Not kept (same day): a bonus for sentences saying how the patient fared ("resolved", "improved", "died",
# "discharged" …) when the question asks it ("Did she get better?", "Did the lesions heal?", "What happened
# to …?"). Grid {0.04, 0.08, 0.12} on tune, k = 10 first-quote-hit 0.797 -> 0.805 / 0.814 / 0.805; at 0.08 tune
# +2 questions and follow-ups tune +2, eval-dev +2, but validate -1 ("discharged a white, chalky material"),
# follow-ups validate -1 ("She was discharged on the fourth day" for "What happened to her after she went
# home?") and abstracts validate -1: it fails on the independent halves.
# Not kept (same day): when the best sentence holds only words of a trailing "when / after …" clause ("What came
# out when the mass was incised and drained?" / "The mass was incised and drained."), the next sentence quoted
# too: nothing moved; quoted first: tune +1 and -1, validate -2 (the clause often names what is asked).
# Not kept (same day): "What happened to the skin lesions?" taking "skin lesions" for its focus instead of
# "happened to": tune first-quote-hit -1 at k = 10 ("What happened to the PTH-related protein …?" then quoted
# a sentence on its mechanism). Nor the head of "What dose of aspirin …" as "dose" instead of "of" (the
# preposition left out of the focus): tune unchanged, validate answer-hit -1 at k = 5, follow-ups and
# abstracts first-quote-hit -1 each.
# Not kept (2026-11-26): the verb or adverb after "which N" left out of the focus ("Which antipsychotic
# replaced lithium?" took "replaced" for the kind of answer; validate's "which" questions are its weakest
# kind, 3 of 15 first quotes right against 7 of 10 on tune): tune first-quote-hit +1 question, follow-ups
# tune -1, eval-dev answer-hit +1, validate unchanged.
# Not kept (2026-11-26, sixth round): a place or name the question calls its patient by ("the Juiz de Fora
# case": a capitalised word in at most 8 passages) naming her papers like an age does. Validate +1 question
# (recall@1, answer-hit, first quote), tune unchanged, eval-dev answer-hit 0.81 -> 0.76 and one false
# abstention (a capitalised word that is no patient's name restricted the answer to the wrong papers).
# Not kept (2026-11-27, tenth round): "N% of …" read as a share, not a strength (the dose shape's "%" not
# followed by "of"). Found on eval-dev ("What strength of topical STS …?" quoted first a sentence on
# "roughly 25% of patients"): eval-dev first-quote-hit 0.524 -> 0.571 (k = 10); no question of cases tune,
# validate, classes, conversations, levels or methods moved; abstracts answer-hit 0.69 -> 0.68 (k = 5,
# "how much does aspirin cut …" is a share) and the shipped report's quotes per answer 1.52 -> 1.56.
# Not kept (same round): "regimen" as a dose word in analysis.question_type (found on eval-dev, "What topical
# regimen cleared …?" quoted a classification sentence first): cases tune unchanged (follow-ups tune: one
# answer 3 -> 1 quotes); validate answer-hit 0.796 -> 0.806 at k = 10 but 0.806 -> 0.796 at k = 5 with one
# more false abstention (0.019 -> 0.028); eval-dev first-quote-hit +1. Mixed on the blind half.
# Not kept (same round): a sentence naming only the other sex than the question's patient ("the woman" vs
# "he", "the boy") penalised like the other side of the body (OTHER_SIDE_PENALTY): cases tune unchanged on
# every figure; validate two answers one quote shorter (quotes per answer 1.66 -> 1.64), nothing else moved.
# Nor decade ages ("the man in his 40s") as age groups: only tune-side sets have such questions.
# Not kept (same round): symptoms and signs ("fever", "rash", "shortness of breath", ~50 words) as the members
# of "which symptoms / features / findings / complaints" (analysis.MEMBER_CLASSES): classes first-quote-hit
# 0.500 -> 0.472, validate 0.713 -> 0.704; answer-hit unchanged on both.
# Not kept (2026-11-27, twelfth round): a bonus for what a sentence adds to the question (the share of its
# stems that are neither the question's terms nor its paper's title words), so that "Several rescue
# strategies are available for children who stay febrile after the first IVIG infusion" stops outranking
# the sentence listing them. Tune side only (cases tune, classes), weight 0.1 / 0.04 / -0.05: tune
# answer-hit 0.890 -> 0.898 / 0.890 / 0.873, first-quote-hit 0.831 -> 0.805 / 0.822 / 0.814; classes
# answer-hit 0.750 -> 0.722 / 0.778 / 0.750, first-quote-hit 0.500 -> 0.389 / 0.472 / 0.500. No weight
# helped both tune sets, so validate was not run.
# Not kept (2026-11-27, twelfth round): the eleventh round's listwise passage weights with the sentence
# weights re-chosen for them (W_SEMANTIC, W_COVERAGE, W_STANDING on a 0.05 grid, tune and classes only,
# retrieval cached): the best, 0.55 / 0.25 / 0.20, brings tune back to today's answer-hit and
# first-quote-hit at k = 10 (0.890, 0.831; k = 5 first-quote-hit 0.847 -> 0.831) with classes answer-hit
# 0.750 -> 0.722 and first-quote-hit 0.500 -> 0.528. Validate, run once: answer-hit 0.796 -> 0.815 and
# recall@1 0.741 -> 0.787, but first-quote-hit 0.713 -> 0.704 and false abstention 2 -> 3 of 108; follow-ups
# first-quote-hit 0.70 -> 0.62. The tune side gained no answer, so not kept.
# Not kept (2026-11-27, thirteenth round): the same listwise weights with 0.55 / 0.25 / 0.20, checked on the
# fresh set (bench/data/cases/fresh), with the rule written down before its first run: keep only if the tuning
# side as a whole (cases tune, classes, fresh; k = 10) gains two answers with no first quote and no false
# abstention lost. On the fresh set's blind first run it gained one answer (0.643 -> 0.657) and two false
# abstentions fewer; with this round's fixes in place it lost one answer and one first quote (0.786 -> 0.771,
# 0.671 -> 0.657), tune unchanged, classes -1 answer: not kept.
# A dose question's further quotes never state another drug's dose (answer.select_sentences; no
# constant, 2026-11-26). Found by a user review: "What dose of minocycline was used?" at k = 50 added
# the diltiazem dose of another paper. No figure of any set moved.
# An eponymous condition the top paper never names ("Lyme disease", analysis.eponyms) makes the
# question unanswerable there, like a missing drug or identifier (2026-11-26, no constant). Found by a
# user review: the README's own off-topic example, "What is the first-line antibiotic for Lyme
# disease?", was answered from the shipped report, whose "disease" alone gave the top passage a
# coverage of 0.158 (abstain_below 0.15). Eval-dev's Lyme question abstains now (3/4 -> 4/4; the same
# question, so no blind check); tune, validate, follow-ups, shipped report and abstracts unchanged,
# false abstention included. Every capitalised word instead of eponyms only: false abstention tune
# 0.025 -> 0.076, validate 0.019 -> 0.083 (nationalities, acronyms): not kept.
# A question about a topic rather than a patient ("Which causes more memory loss, ECT or ketamine?";
# analysis.about reads no patient, and it states no claim) is answered by a sentence that speaks of that
# topic, so it too must be closer than a question about a case's detail ("How long did she stay well?",
# answered at cosines down to 0.25). Chosen 2026-11-26 on the tune halves by a grid 0.20-0.60: cases tune
# and A-tune gain 1 unindexed abstention (41 -> 42 of 50) from 0.40 to 0.50 and lose 2 answers at 0.55;
# the middle, 0.45, kept. Checked on validate: A-val abstains on 35 -> 37 of 50 unindexed questions,
# cases validate, follow-ups, shipped report and eval-dev unchanged (with analysis._PATIENT reading "the
# Vietnamese case" as a patient: two wrong validate answers about a named case would otherwise abstain).
MIN_TOPIC_COSINE = 0.45
# Twenty-fifth round (a user review): a dose asked in no tense ("What dose of IVIg?", "IVIg dose?") was held to this
# bar, as if it asked about the condition in general, and refused on the shipped report; it is now judged like a
# question about the case (answer.confidence; the dose rule still checks that a sentence of hers states the dose).
# No tuning, check-half or abstracts question moved (the abstracts keep 89 of 100 abstentions); all tenseless
# questions judged that way cost the abstracts 3 abstentions, so only dose questions are. Not kept from the same
# review: dropping "of" from a question's focus words ("What dose of IVIg?" counted "of" as what is asked): no
# development question moved, but "What dose of minocycline was used for calcinosis?" then quoted a cohort's
# diltiazem dose first (tests/test_answers.py), since "dose" alone weighs more in that sentence.
# Same review: "Which drugs are used for calcinosis cutis?" was refused (coverage 0.04: no passage holds "drugs");
# for the abstention's coverage a passage of the top paper naming a drug now holds a generic "drug(s)", "medication(s)"
# or "medicine(s)" the question's focus names (answer._GENERIC_DRUG). No development question moved. Not kept: those
# words as answer-type words everywhere (analysis.ANSWER_TYPE_WORDS), which moved the ranking: check half answer-hit
# and first-quote-hit -1 each.
MIN_SENTENCE_COSINE = 0.20  # the top passage's best sentence must be at least this close to the question
MIN_CLAIM_COSINE = 0.63  # ... and at least this close for a yes/no question stating a claim about the condition
# ("Does X reduce Y in Z?", answer.Confidence.claim): its answer restates the claim. Issue 11's external
# check (structured abstracts) abstained on 8/100 questions whose abstract is not indexed: those scored
# 0.28-0.65 against the nearest sentence, the answerable ones 0.62+. Grid 0.55-0.75 on the tune halves
# (cases tune; abstracts with odd question numbers, "A-tune"): abstention on A-tune rises 23 -> 36 of 50
# up to 0.65 and stays; false abstention: cases 2/118 throughout, A-tune 2 -> 3 of 50 at every value tried
# (one question scores 0.49), then 4/50 at 0.72. 0.60 keeps a margin below that rise. Validate at 0.60: cases unchanged (6/15, 2/108 false); abstracts with even numbers
# 28/50 abstained (was 5/50), 1/50 false (was 1/50); shipped report and eval-dev unchanged. Then extended
# to general value questions ("How much does X reduce Y?", answer.CLAIM_KINDS), same threshold (0.55-0.65
# on tune: A-tune 37-38 of 50, no new false abstention): A-tune 32 -> 37 of 50, A-val 28 -> 33 of 50,
# false abstention and every other set unchanged. Not for other general wh-questions ("Which imaging is
# used to suspect calcinosis?", 0.598 on the shipped report, answerable): their answer is new content.
# Judging a claim by the top passage's best sentence that does not restate an aim ("To determine
# whether …"): unindexed abstracts abstained 0.74 -> 0.78 (tune), but false abstention 0.06 -> 0.24 (the top
# passage of an answerable question is often its OBJECTIVE section): not kept.
# Re-chosen 2026-11-26 (sixth round, after the topic bar, the vocabulary and the dose and test rules changed
# what else abstains), the same grid on the tune halves, 0.55-0.70: A-tune unindexed abstained 33, 37, 42,
# 42, 44 of 50 at 0.55, 0.58, 0.60, 0.61, 0.62, then 45 from 0.63 to 0.66; false abstention 2/50 (A-tune)
# and 3/118 (cases tune) throughout, then 4/50 at 0.68. 0.63, the lowest value of the plateau, keeps the
# widest margin below that rise. Validate at 0.63: A-val unindexed abstained 37 -> 41 of 50, false
# abstention 0 -> 1 of 50 (x006, "Does a statin … ?", at 0.629); cases validate, follow-ups, shipped
# report and eval-dev unchanged. The answerable and unindexed abstracts overlap here (0.629 answerable,
# 0.633 not): this bar is not a wide gap, only the best place on the tune half.
