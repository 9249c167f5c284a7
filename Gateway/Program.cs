using Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseApplication();

app.Run();

/// <summary>Visible to the tests that start the gateway in process.</summary>
public partial class Program;
