using System.Diagnostics;

namespace NativeCore.Experiments;

/// <summary>What running one stage came to.</summary>
internal enum StageOutcome
{
    /// <summary>The stage ran to the end in this process.</summary>
    Ran,
    /// <summary>The stage was already done; nothing ran.</summary>
    Reused,
    /// <summary>Another worker finished it while this one waited for its lease.</summary>
    FinishedElsewhere,
}

/// <summary>
/// Runs stages in this process: the local executor (every stage of a graph, parents first) and <c>nativecore stage
/// run</c> (one stage, whose parents must be done). Every run takes the stage's lease first, so two workers never
/// run one stage at once, whichever executor started them.
/// </summary>
internal static class GridRunner
{
    /// <summary>How often a worker that waits on another's lease looks again.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    /// <summary>Runs every stage of <paramref name="graph"/> that is not done, parents first; returns the seconds this took.</summary>
    public static double RunAll(StageGraph graph, IGridObserver? observer)
    {
        var clock = Stopwatch.StartNew();
        observer?.Planned(graph.Stages.Sum(s => s.Units));
        var store = new StageStore(graph.RunDirectory);
        foreach (var stage in graph.Stages) Run(graph, store, stage, observer);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Runs <paramref name="stage"/> unless it is done: its parents must be done, and while another worker holds its
    /// lease this waits, then reuses that worker's result or takes over from a worker that died.
    /// </summary>
    public static StageOutcome Run(StageGraph graph, StageStore store, GridStage stage, IGridObserver? observer, TextWriter? log = null)
    {
        if (store.IsDone(stage))
        {
            observer?.Advanced(stage.Units, $"{stage.Name} (reused)");
            return StageOutcome.Reused;
        }
        var missing = stage.ParentStages.Where(p => !store.IsDone(p)).Select(p => p.Id).ToList();
        if (missing.Count > 0)
            throw new IncompleteGridException($"stage {stage.Id} cannot start: its parent{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} {(missing.Count > 1 ? "are" : "is")} not done");

        bool told = false;
        StageLease? lease;
        while ((lease = StageLease.TryAcquire(store.AttemptsDirectory(stage), out var holder)) is null)
        {
            if (!told)
            {
                log?.WriteLine($"stage {stage.Id}: attempt {holder!.Number} holds it ({holder.Host}, pid {holder.Pid}{(holder.Job is null ? "" : $", job {holder.Job}")}); waiting");
                told = true;
            }
            Thread.Sleep(Poll);
            if (store.IsDone(stage))
            {
                observer?.Advanced(stage.Units, $"{stage.Name} (finished elsewhere)");
                return StageOutcome.FinishedElsewhere;
            }
        }

        using (lease)
        {
            if (store.IsDone(stage))
            {
                lease.End("done elsewhere: nothing ran");
                observer?.Advanced(stage.Units, $"{stage.Name} (reused)");
                return StageOutcome.Reused;
            }
            var clock = Stopwatch.StartNew();
            var context = new StageContext(stage, graph.RunDirectory, observer is null ? null : observer.Advanced, log);
            context.Note($"attempt {lease.Attempt.Number} started on {lease.Attempt.Host}");
            Directory.CreateDirectory(context.Directory);
            try
            {
                stage.Body(context);
            }
            catch (Exception e)
            {
                lease.End($"failed: {e.Message}");
                throw;
            }
            context.Advance(stage.Units);
            if (lease.Lost)
            {
                lease.End("failed: its lease was taken over; the later attempt finishes the stage");
                throw new IncompleteGridException($"stage {stage.Id}: another worker took over this attempt's lease (it was not renewed in time); that worker finishes the stage");
            }
            store.MarkDone(stage, clock.Elapsed.TotalSeconds, lease.Attempt.Number);
            lease.End("done");
            return StageOutcome.Ran;
        }
    }
}
