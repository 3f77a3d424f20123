namespace NativeCore.Ledger;

/// <summary>Which of the paper's settings made a model, told by the files its folder holds.</summary>
internal enum LineageSetting
{
    /// <summary>A grammar checkpoint: <c>checkpoints/step-N/model.json</c> in a run folder with a <c>latest</c> file.</summary>
    Grammar,

    /// <summary>A compiled or fine-tuned Tracr model: <c>model.json</c> (setting tracr; tracr.json before) beside <c>model.safetensors</c>.</summary>
    Tracr,

    /// <summary>A stories model: <c>model.json</c> (setting stories; stories.json before) beside <c>model.safetensors</c>.</summary>
    Stories,
}
