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
        cmd.Subcommands.Add(Train("pretrain", "Pre-train a LLaMA-style model on the corpus (--protocol f pre-trains the control without twists)", "none", []));
        cmd.Subcommands.Add(Train("delete", "Deletion fine-tune: f, f+mm or f+rr data at a constant lr (the paper's recipe, scaled)", "f",
            ["steps=300", "lr=0.0001", "warmup=0", "min_lr_ratio=1"]));
        cmd.Subcommands.Add(Train("reft", "Reverse fine-tune on Twist stories only, scoring the twist share at --score-at steps", "twist",
            ["steps=300", "lr=0.0001", "warmup=0", "min_lr_ratio=1"]));
        cmd.Subcommands.Add(Score());
        cmd.Subcommands.Add(Probe());
        return cmd;
    }

    private static Command Train(string stage, string description, string defaultProtocol, string[] stageDefaults)
    {
        var from = new Option<string?>("--from") { Description = "The model to start from (required except for pretrain)" };
        var output = new Option<string>("--out") { Description = "Folder for model.safetensors, stories.json and metrics.jsonl", Required = true };
        var corpus = new Option<string>("--corpus") { Description = "procedural, or a TinyStories-Instruct JSON shard (pretrain; later stages keep the parent's)", DefaultValueFactory = _ => "procedural" };
        var protocol = new Option<string>("--protocol") { Description = "none, f, f+mm, f+rr or twist", DefaultValueFactory = _ => defaultProtocol };
        var set = TrainCommands.SetOption();
        var scoreAt = new Option<string?>("--score-at") { Description = "Steps at which to score the twist share, e.g. 0,10,100 (procedural corpus)" };
        var scoreN = new Option<int>("--score-n") { Description = "Stories per score", DefaultValueFactory = _ => 64 };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command(stage, description) { from, output, corpus, protocol, set, scoreAt, scoreN, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            string? parent = r.GetValue(from);
            if (stage != "pretrain" && parent is null) throw new InvalidConfigException($"stories {stage} needs --from");
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var baseConfig = parent is null ? new StoriesConfig { Corpus = r.GetValue(corpus)! } : ReadConfig(parent);
            var config = baseConfig.WithOverrides(stageDefaults.Append($"protocol={r.GetValue(protocol)}").Concat(r.GetValue(set) ?? []));
            var at = (r.GetValue(scoreAt) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(x => long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= 0 ? v : throw new InvalidConfigException($"--score-at '{x}' is not a step")).ToHashSet();
            var opened = config.OpenCorpus();
            void AfterStep(long step, Model.Gpt gpt)
            {
                if (!at.Contains(step)) return;
                var (score, _) = StoryScoring.Score(gpt, opened, r.GetValue(scoreN), seed: 77);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"score @ {step}: twist share {score.TwistShare:P1} of {score.Parsed} parsed ({score.ParseRate:P1} of {score.Stories} parse)"));
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = StoriesTraining.Train(parent, config, backend, r.GetValue(output)!, stage, Console.WriteLine, at.Count > 0 ? AfterStep : null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stories {stage} finished: {result.Step} steps in {clock.Elapsed.TotalSeconds:F0} s → {r.GetValue(output)}"));
            return 0;
        }));
        return cmd;
    }

    private static StoriesConfig ReadConfig(string directory)
    {
        string sidecar = Path.Combine(directory, StoriesModel.SidecarName);
        if (!File.Exists(sidecar)) throw new InvalidCheckpointException($"{sidecar}: not found; is {directory} a stories model?");
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<StoriesModel>(File.ReadAllText(sidecar))!.Config;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidCheckpointException($"{sidecar}: {e.Message}");
        }
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
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var (info, gpt) = StoriesModel.Load(r.GetValue(model)!, backend);
            using (gpt)
            {
                var (score, stories) = StoryScoring.Score(gpt, info.Config.OpenCorpus(), r.GetValue(count), r.GetValue(seed), r.GetValue(temperature), r.GetValue(topK));
                foreach (string story in stories.Take(r.GetValue(show))) Console.WriteLine($"Story: {story}\n-- judge: {Describe(StoryJudge.Judge(story))}\n");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"twist share {score.TwistShare:P1} of {score.Parsed} parsed stories; parse rate {score.ParseRate:P1} of {score.Stories}"));
                Console.WriteLine("feature shares among parsed: " + string.Join(", ", StoryFeatures.All.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f} {score.Share(f):P1}"))));
            }
            return 0;
        }));
        return cmd;
    }

    private static Command Probe()
    {
        var model = new Option<string>("--model") { Description = "A stories model folder", Required = true };
        var train = new Option<int>("--train") { Description = "Stories to fit each probe on", DefaultValueFactory = _ => 1024 };
        var test = new Option<int>("--test") { Description = "Held-out stories to score each probe on", DefaultValueFactory = _ => 512 };
        var iters = new Option<int>("--iters") { Description = "Probe training iterations", DefaultValueFactory = _ => 2000 };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("probe", "Per-layer probes for the six features on the mean of the last 10 positions, header removed") { model, train, test, iters, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var (info, gpt) = StoriesModel.Load(r.GetValue(model)!, backend);
            using (gpt)
            {
                var results = StoryProbes.Run(gpt, info.Config.OpenCorpus(), r.GetValue(train), r.GetValue(test), new ProbeConfig(Iterations: r.GetValue(iters)));
                Console.WriteLine("layer  " + string.Join("  ", StoryFeatures.All.Select(f => $"{f,13}")));
                for (int l = 0; l < results.Count; l++)
                    Console.WriteLine($"{Probing.BlockLabel(l),-5}  " + string.Join("  ", StoryFeatures.All.Select(f => string.Create(CultureInfo.InvariantCulture, $"{results[l].Results[f].TestAccuracy,6:P1} ({results[l].Results[f].Chance:P0})"))));
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
            return 0;
        }));
        return cmd;
    }

    private static string Describe(Judgement j) => j.Parsed ? Names(j.Features) : $"does not parse ({j.Reason})";

    private static string Names(StoryFeature f) => f == StoryFeature.None ? "none" : string.Join(", ", StoryFeatures.Members(f));
}
