namespace NativeCore.Training;

/// <summary>Linear warm-up from 0 over the first <c>warmup</c> share of the steps, then cosine decay to peak·min_ratio.</summary>
public sealed record LearningRateSchedule(double Peak, int TotalSteps, double WarmupShare, double MinRatio)
{
    /// <summary>The learning rate for 0-based <paramref name="step"/>.</summary>
    public double At(long step)
    {
        long warmup = (long)Math.Round(WarmupShare * TotalSteps);
        if (step < warmup) return Peak * (step + 1) / warmup;
        double progress = TotalSteps <= warmup ? 1 : Math.Min(1.0, (double)(step - warmup) / (TotalSteps - warmup));
        double min = Peak * MinRatio;
        return min + 0.5 * (Peak - min) * (1 + Math.Cos(Math.PI * progress));
    }
}
