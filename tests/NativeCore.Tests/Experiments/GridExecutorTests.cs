using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using NativeCore.Experiments;

namespace NativeCore.Tests.Experiments;

/// <summary>
/// The stage graph's plumbing without a scheduler: <c>paper --plan</c>, <c>stage run</c>, <c>paper --status</c>,
/// <c>paper --report-only</c>, and the lease that keeps two workers from running one stage.
/// </summary>
[Collection("Console")]
public sealed class GridExecutorTests : TempDirectoryTest
{
    private static JsonNode Plan(string store, params string[] extra)
    {
        var (exit, output, err) = CliCapture.RunWithOutput(["paper", "--preset", "smoke", "--out", store, "--plan", .. extra]);
        Assert.True(exit == 0, err);
        return JsonNode.Parse(output)!;
    }

    private static string Key(JsonNode plan, string prefix) =>
        plan["stages"]!.AsArray().Select(s => (string)s!["key"]!).Single(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.Length == prefix.Length + 13);

    [Fact]
    public void The_plan_lists_every_stage_parents_first_with_a_runnable_command_and_writes_only_the_recipe()
    {
        string store = Dir("grid");
        var plan = Plan(store);
        var stages = plan["stages"]!.AsArray();
        var config = ConfigLoader.Load("smoke");
        var grid = new PaperGrid(config, store, () => throw new InvalidOperationException("planning needs no backend"));
        Assert.Equal(grid.Graph.Stages.Select(s => s.Id), stages.Select(s => (string)s!["key"]!));
        var seen = new HashSet<string>();
        foreach (var s in stages)
        {
            Assert.All(s!["parents"]!.AsArray(), p => Assert.Contains((string)p!, seen));
            seen.Add((string)s["key"]!);
            Assert.Contains($"stage run {(string)s["key"]!} --store {store}", (string)s["command"]!, StringComparison.Ordinal);
            Assert.False((bool)s["done"]!);
            Assert.True((double)s["estimated_cpu_seconds"]! >= 0);
        }
        Assert.Equal(Math.Round(stages.Sum(s => (double)s!["estimated_cpu_seconds"]!) / 3600, 2), (double)plan["estimated_cpu_hours"]!, 2);
        Assert.Equal(new[] { ".nativecore-output", "grid" }, Directory.EnumerateFileSystemEntries(store).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "recipe.json" }, Directory.EnumerateFileSystemEntries(Path.Combine(store, "grid")).Select(f => Path.GetFileName(f)!));

        // A changed setting changes the stages it decides and everything downstream of them, and nothing else.
        var changed = Plan(Dir("changed"), "--set", "finetune.steps=21")["stages"]!.AsArray().Select(s => (string)s!["key"]!).ToList();
        Assert.Contains(Key(plan, "pretrain-high"), changed);
        Assert.DoesNotContain(Key(plan, "finetune-high-lr0.001-ctr1"), changed);
    }

    [Fact]
    public void A_stage_waits_for_its_parents_and_the_report_for_every_stage()
    {
        string store = Dir("grid");
        var plan = Plan(store);
        string pretrain = Key(plan, "pretrain-high"), finetune = Key(plan, "finetune-high-lr0.001-ctr1");

        var (exit, err) = CliCapture.Run("stage", "run", finetune, "--store", store);
        Assert.Equal(ExitCodes.Incomplete, exit);
        Assert.Contains(pretrain, err, StringComparison.Ordinal);

        (exit, err) = CliCapture.Run("stage", "run", "pretrain-high-000000000000", "--store", store);
        Assert.Equal(ExitCodes.Config, exit);
        Assert.Contains("pretrain-high-000000000000", err, StringComparison.Ordinal);

        (exit, err) = CliCapture.Run("stage", "run", pretrain, "--store", Dir("nowhere"));
        Assert.Equal(ExitCodes.InputOutput, exit);

        var (ran, output, runErr) = CliCapture.RunWithOutput("stage", "run", pretrain, "--store", store);
        Assert.True(ran == 0, runErr);
        Assert.Contains($"stage {pretrain}: done", output, StringComparison.Ordinal);
        (ran, output, _) = CliCapture.RunWithOutput("stage", "run", pretrain, "--store", store);
        Assert.Equal(0, ran);
        Assert.Contains("already done; nothing ran", output, StringComparison.Ordinal);

        (exit, output, _) = CliCapture.RunWithOutput("paper", "--status", "--out", store);
        Assert.Equal(0, exit);
        Assert.Matches($"(?m)^done +{pretrain} ", output);
        Assert.Matches($"(?m)^waiting +{finetune} +not started", output);
        Assert.Contains($"1 done, {plan["stages"]!.AsArray().Count - 1} waiting of", output, StringComparison.Ordinal);

        (exit, err) = CliCapture.Run("paper", "--report-only", "--out", store);
        Assert.Equal(ExitCodes.Incomplete, exit);
        Assert.Contains($"{plan["stages"]!.AsArray().Count - 1} of {plan["stages"]!.AsArray().Count} stages are not done", err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(store, "report.md")));
    }

    [Fact]
    public async Task Two_workers_started_on_one_stage_run_it_once()
    {
        string store = Dir("grid");
        var plan = Plan(store, "--set", "pretrain.steps=300");
        string pretrain = Key(plan, "pretrain-high");
        using var first = CliProcess.Start("stage", "run", pretrain, "--store", store);
        using var second = CliProcess.Start("stage", "run", pretrain, "--store", store);
        var outputs = new List<string>();
        foreach (var p in new[] { first, second })
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            string stderr = await p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await p.WaitForExitAsync(timeout.Token);
            Assert.True(p.ExitCode == 0, stderr);
            outputs.Add(await stdout);
        }
        Assert.Single(outputs, o => o.Contains($"stage {pretrain}: done in", StringComparison.Ordinal));
        var stage = new PaperGrid(ConfigLoader.Load("smoke", ["pretrain.steps=300"]), store, () => throw new InvalidOperationException()).Graph.Find(pretrain)!;
        var attempt = Assert.Single(new StageStore(store).Attempts(stage));
        Assert.Equal("done", attempt.Outcome);
    }

    [Fact]
    public void A_lease_is_held_until_it_ends_or_its_holder_is_gone()
    {
        string dir = Dir("attempts");
        using var lease = StageLease.TryAcquire(dir, out var holder);
        Assert.NotNull(lease);
        Assert.Null(holder);
        Assert.Equal(1, lease!.Attempt.Number);
        Assert.Null(StageLease.TryAcquire(dir, out holder));
        Assert.Equal(1, holder!.Number);

        // A worker on another machine keeps the stage until its lease runs out.
        lease.End("done");
        var now = DateTime.UtcNow;
        File.WriteAllText(Path.Combine(dir, "2.json"), JsonSerializer.Serialize(new StageAttempt(2, "another-node", 4242, "77", now, now.AddMinutes(2), null)));
        Assert.Null(StageLease.TryAcquire(dir, out holder));
        Assert.Equal("another-node", holder!.Host);
        File.WriteAllText(Path.Combine(dir, "2.json"), JsonSerializer.Serialize(new StageAttempt(2, "another-node", 4242, "77", now.AddMinutes(-3), now.AddSeconds(-1), null)));
        using (var third = StageLease.TryAcquire(dir, out _))
            Assert.Equal(3, third!.Attempt.Number);

        // A worker on this machine whose process is gone (killed) is taken over at once, lease or not.
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        exited.WaitForExit();
        File.WriteAllText(Path.Combine(dir, "4.json"), JsonSerializer.Serialize(new StageAttempt(4, Environment.MachineName, exited.Id, null, now, now.AddMinutes(2), null)));
        using var fifth = StageLease.TryAcquire(dir, out _);
        Assert.Equal(5, fifth!.Attempt.Number);
        Assert.Equal([1, 2, 3, 4, 5], StageLease.Attempts(dir).Select(a => a.Number));
    }
}
