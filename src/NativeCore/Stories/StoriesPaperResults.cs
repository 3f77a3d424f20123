namespace NativeCore.Stories;

/// <summary>The twist score of one model at one point: stories generated from Twist prompts, judged.</summary>
/// <param name="Step">reFT steps done (0 before reFT).</param>
/// <param name="Score">What the judge found.</param>
internal sealed record StoriesScorePoint(long Step, StoryScore Score);

/// <summary>Reverse fine-tuning on Twist stories from one model, scored along the way.</summary>
/// <param name="From">The model it starts from: a deletion protocol (f, f+mm, f+rr) or the control.</param>
/// <param name="Points">The score at each scoring step, in order, starting at step 0.</param>
internal sealed record StoriesRevival(string From, IReadOnlyList<StoriesScorePoint> Points);

/// <summary>The twist probe of one model: test accuracy at the layer whose probe fits its training samples best.</summary>
/// <param name="Model">pretrained, a deletion protocol, or control.</param>
/// <param name="Layer">The hook read (B0 = embeddings).</param>
/// <param name="TestAccuracy">Accuracy on the held-out probe samples.</param>
/// <param name="TestSize">How many.</param>
/// <param name="Chance">The majority-class share of the test samples: what a probe that learned nothing scores.</param>
internal sealed record StoriesTwistProbe(string Model, string Layer, double TestAccuracy, int TestSize, double Chance = 0.5);

/// <summary>Every feature probe of one model, layer by layer (B0 = embeddings), as <see cref="StoryProbes.Run"/> gives them.</summary>
/// <param name="Model">pretrained, a deletion protocol, or control.</param>
/// <param name="Layers">Per layer, each feature's probe.</param>
internal sealed record StoriesProbeTable(string Model, IReadOnlyList<StoryProbeLayer> Layers);

/// <summary>Everything the stories verdicts read (spec tinystories.md §2–3).</summary>
/// <param name="Pretrained">The score of the model pre-trained on every story.</param>
/// <param name="Control">The score of the control: pre-trained on filtered data, so it never saw a twist.</param>
/// <param name="Deleted">The score after each deletion protocol, by protocol name.</param>
/// <param name="Revivals">reFT on Twist stories from each deleted model.</param>
/// <param name="ControlRevival">The same reFT from the control.</param>
/// <param name="Probes">The twist probe of the pre-trained model, each deleted model and the control.</param>
/// <param name="ProbeTables">Every feature's probe at every layer of the same models, for the report.</param>
internal sealed record StoriesPaperResults(StoryScore Pretrained, StoryScore Control, IReadOnlyDictionary<string, StoryScore> Deleted,
    IReadOnlyList<StoriesRevival> Revivals, StoriesRevival ControlRevival, IReadOnlyList<StoriesTwistProbe> Probes, IReadOnlyList<StoriesProbeTable>? ProbeTables = null);
