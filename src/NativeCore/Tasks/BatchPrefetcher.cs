namespace NativeCore.Tasks;

/// <summary>
/// Generates the next step's batch on a background task while the current step trains, so data generation never
/// stalls the trainer. Batches come out in step order and are identical to calling the source directly.
/// </summary>
public sealed class BatchPrefetcher : IDisposable
{
    private readonly IBatchSource _source;
    private readonly int _batchSize;
    private long _nextStep;
    private Task<Batch> _pending;

    /// <summary>Starts generating the batch of <paramref name="firstStep"/>.</summary>
    public BatchPrefetcher(IBatchSource source, int batchSize, long firstStep)
    {
        _source = source;
        _batchSize = batchSize;
        _nextStep = firstStep;
        _pending = Start(firstStep);
    }

    /// <summary>Returns the batch of the next step and starts generating the one after.</summary>
    public Batch Take()
    {
        var batch = _pending.GetAwaiter().GetResult();
        _nextStep++;
        _pending = Start(_nextStep);
        return batch;
    }

    private Task<Batch> Start(long step) => Task.Factory.StartNew(() => _source.Batch(step, _batchSize), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

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
