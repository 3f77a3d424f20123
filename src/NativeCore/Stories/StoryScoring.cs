using NativeCore.Model;

namespace NativeCore.Stories;

/// <summary>What a batch of generated stories shows.</summary>
/// <param name="Stories">Stories generated.</param>
/// <param name="Parsed">Stories the judge could parse.</param>
/// <param name="Features">Per feature, how many parsed stories have it.</param>
internal sealed record StoryScore(int Stories, int Parsed, IReadOnlyDictionary<StoryFeature, int> Features)
{
    /// <summary>Parsed stories over all stories.</summary>
    public double ParseRate => Stories == 0 ? 0 : Parsed / (double)Stories;

    /// <summary>The twist generation score: the share of parsed stories the judge finds a twist in.</summary>
    public double TwistShare => Share(StoryFeature.Twist);

    /// <summary>
    /// The share of all generated stories with a twist the judge found. A story that does not parse counts as having
    /// none, so a change in the parse rate cannot pass for a change in twists, as it can in <see cref="TwistShare"/>.
    /// </summary>
    public double TwistShareOfAll => ShareOfAll(StoryFeature.Twist);

    /// <summary>The share of parsed stories with <paramref name="feature"/>.</summary>
    public double Share(StoryFeature feature) => Parsed == 0 ? 0 : Features[feature] / (double)Parsed;

    /// <summary>The share of all generated stories with <paramref name="feature"/> (unparsed ones count as without it).</summary>
    public double ShareOfAll(StoryFeature feature) => Stories == 0 ? 0 : Features[feature] / (double)Stories;
}

/// <summary>
/// The generation score (spec tinystories.md §3): prompt with BOS and the instruction header of a held-out Twist
/// example up to <c>Story:</c>, sample at temperature 1, cut at the next instruction key, and judge the story.
/// </summary>
internal static class StoryScoring
{
    /// <summary>First corpus index of the held-out prompts, far from any training stream.</summary>
    public const long HeldOutStart = 1L << 40;

    /// <summary>Generates <paramref name="count"/> stories from Twist prompts and judges them.</summary>
    public static (StoryScore Score, IReadOnlyList<string> Stories) Score(Gpt model, StoryCorpus corpus, int count, ulong seed, float temperature = 1f, int topK = 0, int maxTokens = 350, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(corpus);
        if (!corpus.Judgeable) throw new InvalidConfigException($"{corpus.Name}: the judge reads ProcStories only; real stories need the paper's classifier");
        var prompts = new List<int[]>();
        for (long i = HeldOutStart; prompts.Count < count; i++)
        {
            var example = corpus.Example(i);
            if (example.Features.HasFlag(StoryFeature.Twist)) prompts.Add([corpus.BosId, .. corpus.EncodeText(example.Prompt(example.Listed))]);
        }
        var stories = new List<string>();
        var counts = StoryFeatures.All.ToDictionary(f => f, _ => 0);
        int parsed = 0;
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            var chunk = prompts.Skip(start).Take(batchSize).ToList();
            int room = Math.Max(1, Math.Min(maxTokens, model.Config.BlockSize - chunk.Max(p => p.Length)));
            var outputs = Sampler.GenerateBatch(model, chunk, room, temperature, topK, seed + (ulong)start, corpus.Stops);
            foreach (var ids in outputs)
            {
                string story = corpus.Story(ids);
                stories.Add(story);
                var verdict = StoryJudge.Judge(story);
                if (!verdict.Parsed) continue;
                parsed++;
                foreach (var f in StoryFeatures.Members(verdict.Features)) counts[f]++;
            }
        }
        return (new StoryScore(prompts.Count, parsed, counts), stories);
    }
}
