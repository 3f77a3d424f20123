using System.CommandLine;
using NativeCore.Stories;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore stories generate</c>: look at the story corpora as the trainer would see them.</summary>
internal static class StoriesCommand
{
    public static Command Create()
    {
        var cmd = new Command("stories", "The TinyStories setting's corpora: ProcStories-Instruct (procedural, judged by rule) and the real TinyStories-Instruct format");
        cmd.Subcommands.Add(Generate());
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
