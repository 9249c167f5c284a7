// Local infrastructure (initdb, setpriv, file modes) is Unix-only; containers remain the way on Windows.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
