using System.CommandLine;
using NativeCore.Experiments;
using NativeCore.IO;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore stage run KEY --store DIR</c>: one stage of a grid, as a Slurm job (or a person) runs it.</summary>
internal static class StageCommand
{
    public static Command Create()
    {
        var key = new Argument<string>("key") { Description = "The stage's key, NAME-HASH, as paper --plan lists it" };
        var store = new Option<string>("--store") { Description = "The grid's run folder (paper's --out)", Required = true };
        var run = new Command("run", "Run one stage of the grid in --store: its parents must be done; a done stage is skipped, and one that another worker holds is waited for") { key, store };
        run.SetAction(r => CliRunner.Run(() =>
        {
            string dir = r.GetValue(store)!, id = r.GetValue(key)!;
            if (OutputFolder.Owner(dir) != OutputFolder.Kinds.Paper)
                throw new MissingInputException($"--store {dir}: not a grid's run folder; run `nativecore paper --out {dir}` (with --plan or --executor) first");
            var recipe = GridRecipe.Load(dir);
            using var backend = new LazyBackend(recipe.Backend);
            var progress = new PaperCommand.PlainGridProgress();
            var grid = recipe.Open(dir, backend.Get, progress);
            var stage = grid.Graph.Find(id)
                ?? throw new InvalidConfigException($"stage '{id}' is not in the grid of {Path.Combine(dir, "grid", "recipe.json")} ({grid.Graph.Stages.Count} stages; paper --plan --out {dir} lists them)");
            progress.Planned(stage.Units);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var outcome = GridRunner.Run(grid.Graph, new StageStore(dir), stage, progress, Console.Out);
            Console.WriteLine(outcome switch
            {
                StageOutcome.Ran => $"stage {id}: done in {clock.Elapsed.TotalSeconds:F1} s",
                StageOutcome.FinishedElsewhere => $"stage {id}: finished by another worker while this one waited",
                _ => $"stage {id}: already done; nothing ran",
            });
            return 0;
        }));
        return new Command("stage", "Grid stages, one at a time (what each Slurm job runs)") { run };
    }
}
