namespace NativeCore;

/// <summary>Base of every failure NativeCore reports to a user; the CLI prints its message as one line.</summary>
public class NativeCoreException : Exception
{
    /// <summary>Creates the exception with a message that names the file, field or value at fault.</summary>
    public NativeCoreException(string message) : base(message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public NativeCoreException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The process exit code the CLI uses for this failure family.</summary>
    public virtual int ExitCode => 1;
}

/// <summary>A checkpoint or safetensors file is missing, truncated, malformed or does not fit the model.</summary>
public sealed class InvalidCheckpointException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => 3;
}

/// <summary>A configuration, preset, override or command-line value is invalid.</summary>
public sealed class InvalidConfigException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => 2;
}

/// <summary>Training diverged: the loss or a gradient became NaN or infinite.</summary>
public sealed class NumericalDivergenceException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => 4;
}

/// <summary>A requested backend or device does not exist on this machine.</summary>
public sealed class BackendUnavailableException(string message) : NativeCoreException(message)
{
    /// <inheritdoc />
    public override int ExitCode => 5;
}
