namespace NativeCore;

/// <summary>
/// The process exit codes of the command line, one per failure family, so that scripts can tell a bad argument from a
/// corrupt file, a diverged run, a missing device or a full disk without parsing messages.
/// </summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and its check failed (<c>verify: FAIL</c>). No other failure uses 1.</summary>
    public const int CheckFailed = 1;

    /// <summary>An argument, option, <c>--set</c> override, preset or configuration value is invalid.</summary>
    public const int Config = 2;

    /// <summary>A file's contents are malformed or do not fit the model (safetensors, sidecar JSON, shards, metrics).</summary>
    public const int Format = 3;

    /// <summary>Training diverged: a loss or gradient became NaN or infinite.</summary>
    public const int Divergence = 4;

    /// <summary>The requested backend or device is not available on this machine.</summary>
    public const int Backend = 5;

    /// <summary>A file or folder cannot be read or written: missing, not permitted, a file where a folder should be.</summary>
    public const int InputOutput = 6;

    /// <summary>A grid is not finished: a stage's parents are not done (<c>stage run</c>), or stages are missing (<c>paper --report-only</c>).</summary>
    public const int Incomplete = 7;

    /// <summary>The job scheduler (Slurm's sbatch, squeue, scancel) is missing or refused a request.</summary>
    public const int Scheduler = 8;

    /// <summary>A bug in NativeCore (an exception it did not anticipate); sysexits' EX_SOFTWARE.</summary>
    public const int Internal = 70;
}

/// <summary>Base of every failure NativeCore reports to a user; the CLI prints its message as one line.</summary>
public abstract class NativeCoreException : Exception
{
    /// <summary>Creates the exception with a message that names the file, field or value at fault.</summary>
    protected NativeCoreException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    protected NativeCoreException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The process exit code the CLI uses for this failure family (see <see cref="ExitCodes"/>).</summary>
    public abstract int ExitCode { get; }
}

/// <summary>A checkpoint or safetensors file is missing, truncated, malformed or does not fit the model.</summary>
public sealed class InvalidCheckpointException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.Format;
}

/// <summary>A configuration, preset, override or command-line value is invalid.</summary>
public sealed class InvalidConfigException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.Config;
}

/// <summary>Training diverged: the loss or a gradient became NaN or infinite.</summary>
public sealed class NumericalDivergenceException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.Divergence;
}

/// <summary>A requested backend or device does not exist on this machine.</summary>
public sealed class BackendUnavailableException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.Backend;
}

/// <summary>
/// A file or folder cannot be used: it is missing, not permitted, a file where a folder should be, or an output folder
/// that holds another command's work.
/// </summary>
public sealed class OutputFolderException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.InputOutput;
}

/// <summary>An input file or folder named by the user does not exist (or is a folder where a file should be).</summary>
public sealed class MissingInputException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.InputOutput;
}

/// <summary>A grid is not finished: a stage's parents are not done, or the report needs stages that are not done.</summary>
public sealed class IncompleteGridException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.Incomplete;
}

/// <summary>The job scheduler is missing or refused a request; the message quotes what it said.</summary>
public sealed class SchedulerException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.Scheduler;
}
