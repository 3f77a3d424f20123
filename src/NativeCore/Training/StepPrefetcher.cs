namespace NativeCore.Training;

/// <summary>
/// Produces the next step's batch on a background thread while the current step trains, so data generation never
/// stalls the trainer. Batches come out in step order and are identical to calling the producer directly, which must
/// therefore be a pure function of the step.
/// </summary>
public sealed class StepPrefetcher<T> : IDisposable
{
    private readonly Func<long, T> _produce;
    private long _nextStep;
    private Task<T> _pending;

    /// <summary>Starts producing the batch of <paramref name="firstStep"/>.</summary>
    public StepPrefetcher(Func<long, T> produce, long firstStep)
    {
        ArgumentNullException.ThrowIfNull(produce);
        _produce = produce;
        _nextStep = firstStep;
        _pending = Start(firstStep);
    }

    /// <summary>Returns the batch of the next step and starts producing the one after.</summary>
    public T Take()
    {
        var batch = _pending.GetAwaiter().GetResult();
        _nextStep++;
        _pending = Start(_nextStep);
        return batch;
    }

    private Task<T> Start(long step) => Task.Factory.StartNew(() => _produce(step), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Waits for the pending batch, so nothing runs after disposal.</summary>
    public void Dispose()
    {
        try
        {
            _pending.Wait();
        }
        catch (AggregateException)
        {
            // The error surfaces from Take(); disposal only drains the task.
        }
    }
}
