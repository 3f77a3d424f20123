using NativeCore.Cli;

namespace NativeCore.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Verify_on_a_missing_folder_exits_non_zero()
    {
        int exit = Program.Main(["verify", Path.Combine(Path.GetTempPath(), "no-such-golden-case")]);
        Assert.Equal(2, exit);
    }

    [Fact]
    public void Unknown_backend_exits_non_zero()
    {
        int exit = Program.Main(["verify", SharedFolder.Golden("tiny"), "--backend", "tpu"]);
        Assert.Equal(5, exit);
    }
}
