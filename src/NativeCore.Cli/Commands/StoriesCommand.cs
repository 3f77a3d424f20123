using System.CommandLine;
using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Stories;

namespace NativeCore.Cli.Commands;

/// <summary>
/// <c>nativecore stories generate|pretrain|delete|reft|score|probe</c>: the TinyStories setting on ProcStories-Instruct
/// or a real TinyStories-Instruct shard.
/// </summary>
internal static class StoriesCommand
{
    public static Command Create()
    {
        var cmd = new Command("stories", "The TinyStories setting's corpora: ProcStories-Instruct (procedural, judged by rule) and the real TinyStories-Instruct format");
        cmd.Subcommands.Add(Generate());
        cmd.Subcommands.Add(Score());
        return cmd;
    }

    /// <summary>The reft option that lists the steps at which the twist share is scored.</summary>
    public static Option<string?> ScoreAtOption() => new("--score-at") { Description = "stories setting: steps at which to score the twist share, e.g. 0,10,100" };

    /// <summary>How many stories each of those scores generates.</summary>
    public static Option<int> ScoreCountOption() => new("--score-n") { Description = "stories setting: stories per score", DefaultValueFactory = _ => 48 };

    /// <summary>
    /// Runs a stories stage: pre-training (no parent), a deletion fine-tune or reFT from <paramref name="from"/>, with
    /// the protocol and <c>key=value</c> overrides on top of the parent's settings (or the defaults), scoring the
    /// twist share at the steps in <paramref name="scoreAt"/>.
    /// </summary>
    public static int Train(string stage, string? from, string output, string protocol, IEnumerable<string> overrides, string? scoreAt, int scoreCount, string backendName, bool resume = false)
    {
        var baseConfig = from is null ? new StoriesConfig() : StoriesModel.Read(from).Config;
        var config = baseConfig.WithOverrides(StoriesConfig.StageDefaults(stage).Append($"protocol={protocol}").Concat(overrides));
        var at = (scoreAt ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(x => long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= 0 ? v : throw new InvalidConfigException($"--score-at '{x}' is not a step")).ToHashSet();
        using var backend = BackendRegistry.Create(backendName);
        var corpus = config.OpenCorpus();
        void AfterStep(long step, Model.Gpt gpt)
        {
            if (!at.Contains(step)) return;
            var (score, _) = StoryScoring.Score(gpt, corpus, scoreCount, seed: 77);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"score @ {step}: twist share {score.TwistShareOfAll:P1} of all {score.Stories}, {score.TwistShare:P1} of {score.Parsed} parsed (parse rate {score.ParseRate:P1})"));
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = StoriesTraining.Train(from, config, backend, output, stage, Console.WriteLine, at.Count > 0 ? AfterStep : null, resume);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stories {stage} finished: {result.Step} steps in {clock.Elapsed.TotalSeconds:F0} s → {output}"));
        return 0;
    }

    /// <summary>Per-layer feature probes for each model, side by side.</summary>
    public static int Probe(IReadOnlyList<string> models, int iterations, string backendName)
    {
        using var backend = BackendRegistry.Create(backendName);
        foreach (string dir in models)
        {
            var (info, gpt) = StoriesModel.Load(dir, backend);
            using (gpt)
            {
                var (heldOut, _, distinct) = info.Config.OpenHeldOut(info.Config.OpenCorpus());
                if (!distinct) Console.WriteLine($"note: {dir}'s probes read stories of its training shard; set held_out when training for a separate one");
                var results = StoryProbes.Run(gpt, heldOut, 1024, 512, new ProbeConfig(Iterations: iterations));
                Console.WriteLine($"{dir}: test accuracy (majority share)");
                Console.WriteLine("layer  " + string.Join("  ", StoryFeatures.All.Select(f => $"{f,14}")));
                for (int l = 0; l < results.Count; l++)
                    Console.WriteLine($"{Probing.BlockLabel(l),-5}  " + string.Join("  ", StoryFeatures.All.Select(f => string.Create(CultureInfo.InvariantCulture, $"{results[l].Results[f].TestAccuracy,6:P1} ({results[l].Results[f].Chance,4:P0})"))));
            }
        }
        return 0;
    }

    private static Command Score()
    {
        var model = new Option<string>("--model") { Description = "A stories model folder", Required = true };
        var count = new Option<int>("--n") { Description = "Stories to generate from Twist prompts", DefaultValueFactory = _ => 96 };
        var seed = new Option<ulong>("--seed") { Description = "Sampling seed", DefaultValueFactory = _ => 77 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 1f };
        var topK = new Option<int>("--top-k") { Description = "Keep the k likeliest tokens (0: all)", DefaultValueFactory = _ => 0 };
        var show = new Option<int>("--show") { Description = "Generated stories to print", DefaultValueFactory = _ => 2 };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("score", "The twist generation score: the judged twist share of stories generated from Twist prompts, with the parse rate") { model, count, seed, temperature, topK, show, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            // Checked before any model is read: a score of 0 stories, or sampling at a negative or NaN temperature, is no score.
            if (r.GetValue(count) <= 0) throw new InvalidConfigException($"--n must be positive, got {r.GetValue(count)}");
            if (!(r.GetValue(temperature) > 0) || float.IsInfinity(r.GetValue(temperature))) throw new InvalidConfigException($"--temperature must be a positive number, got {r.GetValue(temperature)}");
            if (r.GetValue(topK) < 0) throw new InvalidConfigException($"--top-k must be 0 (all tokens) or positive, got {r.GetValue(topK)}");
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var (info, gpt) = StoriesModel.Load(r.GetValue(model)!, backend);
            using (gpt)
            {
                var (score, stories) = StoryScoring.Score(gpt, info.Config.OpenCorpus(), r.GetValue(count), r.GetValue(seed), r.GetValue(temperature), r.GetValue(topK));
                foreach (string story in stories.Take(r.GetValue(show))) Console.WriteLine($"Story: {story}\n-- judge: {Describe(StoryJudge.Judge(story))}\n");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"twist share {score.TwistShareOfAll:P1} of all {score.Stories} stories, {score.TwistShare:P1} of {score.Parsed} parsed; parse rate {score.ParseRate:P1}"));
                Console.WriteLine("feature shares among parsed: " + string.Join(", ", StoryFeatures.All.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f} {score.Share(f):P1}"))));
            }
            return 0;
        }));
        return cmd;
    }

    private static Command Generate()
    {
        var corpus = new Option<string>("--corpus") { Description = "procedural, or a TinyStories-Instruct JSON shard", DefaultValueFactory = _ => "procedural" };
        var count = new Option<int>("--n") { Description = "Examples to print", DefaultValueFactory = _ => 3 };
        var seed = new Option<ulong>("--seed") { Description = "Corpus seed (procedural) or header-order seed (real data)", DefaultValueFactory = _ => 0 };
        var protocol = new Option<string>("--protocol") { Description = "Deletion protocol applied first: none, f, f+mm, f+rr or twist", DefaultValueFactory = _ => "none" };
        var cmd = new Command("generate", "Print examples with their features: the labels, what the Features line says, and (procedural) what the judge decides") { corpus, count, seed, protocol };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var deletion = StoryDeletion.Parse(r.GetValue(protocol)!);
            int n = r.GetValue(count);
            if (n <= 0) throw new InvalidConfigException($"--n must be positive, got {n}");
            bool procedural = r.GetValue(corpus) == "procedural";
            IEnumerable<StoryExample> source = procedural
                ? new ProcStories(r.GetValue(seed)).Examples(0, int.MaxValue)
                : TinyStoriesInstruct.Load(r.GetValue(corpus)!).Select((rec, i) => TinyStoriesInstruct.ToExample(rec, r.GetValue(seed), i));
            int shown = 0;
            foreach (var example in source)
            {
                if (StoryDeletion.Apply(deletion, example) is not { } kept) continue;
                int tokens = procedural ? WordTokenizer.ProcStories.Encode(kept.Text).Length + 1 : TinyStoriesInstruct.Encode(kept).Length;
                Console.WriteLine(kept.Text);
                string judged = procedural ? Describe(StoryJudge.Judge(kept.Story)) : "not judged (real data)";
                Console.WriteLine($"-- labels: {Names(kept.Features)}; listed: {Names(kept.Listed)}; judge: {judged}; {tokens} tokens with BOS");
                Console.WriteLine();
                if (++shown == n) break;
            }
            Console.WriteLine(procedural
                ? $"ProcStories-Instruct, seed {r.GetValue(seed)}: a closed vocabulary of {WordTokenizer.ProcStories.Count} tokens"
                : $"{r.GetValue(corpus)}: GPT-2 BPE, {TinyStoriesInstruct.VocabularySize} tokens");
            return 0;
        }));
        return cmd;
    }

    private static string Describe(Judgement j) => j.Parsed ? Names(j.Features) : $"does not parse ({j.Reason})";

    private static string Names(StoryFeature f) => f == StoryFeature.None ? "none" : string.Join(", ", StoryFeatures.Members(f));
}
