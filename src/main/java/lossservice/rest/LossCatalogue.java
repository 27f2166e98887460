package lossservice.rest;

import java.util.List;

import lossservice.loss.InputSpec;
import lossservice.loss.LossDefinition;
import lossservice.loss.LossRegistry;
import lossservice.loss.Range;
import lossservice.loss.ScalarSpec;
import lossservice.loss.Signature;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;

/**
 * {@code GET /v1/losses}: every loss with its endpoint, its model on the Open Inference Protocol, its inputs,
 * scalar parameters (defaults and ranges) and outputs, from the same signatures that drive validation, the
 * OpenAPI document and the protocol's metadata.
 */
@Schema(name = "LossCatalogue", description = "Every loss the service computes.")
record LossCatalogue(@Schema(requiredMode = RequiredMode.REQUIRED) List<Loss> losses) {

    static LossCatalogue of(LossRegistry registry) {
        return new LossCatalogue(registry.all().stream().map(LossCatalogue::entry).toList());
    }

    private static Loss entry(LossDefinition definition) {
        Signature signature = definition.signature();
        return new Loss(definition.name(), definition.title(), "/v1/losses/" + definition.name(), definition.name(),
                definition.reference(),
                signature.inputs().stream().map(LossCatalogue::input).toList(),
                signature.scalars().stream().map(LossCatalogue::scalar).toList(),
                signature.reductionNames(), signature.defaultReduction().wireName(),
                signature.outputs().stream().map(output -> new Output(output.name(), output.tensorName(),
                        output.shape().describe(), output.byDefault(), output.unreduced(), output.description()))
                        .toList());
    }

    private static Input input(InputSpec input) {
        return new Input(input.name(), input.tensorName(), input.required(), input.forms().stream()
                .map(form -> new Form(form.kind() == InputSpec.Kind.INDEX ? "classIndices" : "real",
                        form.shape().describe(), form.values() == null ? null : form.values().describe()))
                .toList(), input.description());
    }

    private static Scalar scalar(ScalarSpec scalar) {
        Range range = scalar.range();
        return new Scalar(scalar.name(), scalar.parameterName(), scalar.type().name().toLowerCase(java.util.Locale.ROOT),
                scalar.defaultValue(), range == null ? null : range.describe(), scalar.description());
    }

    @Schema(name = "CatalogueLoss", description = "One loss of the catalogue.")
    record Loss(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "cross-entropy") String name,
            @Schema(requiredMode = RequiredMode.REQUIRED) String title,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "Its JSON endpoint (POST).") String path,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "Its model name on the Open Inference Protocol.")
            String model,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "The PyTorch expression it equals.")
            String reference,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Input> inputs,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Scalar> scalars,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<String> reductions,
            @Schema(requiredMode = RequiredMode.REQUIRED) String defaultReduction,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Output> outputs) {
    }

    @Schema(name = "CatalogueInput", description = """
            An input array: its JSON field, its tensor on the Open Inference Protocol, and the forms it may take.""")
    record Input(
            @Schema(requiredMode = RequiredMode.REQUIRED) String name,
            @Schema(requiredMode = RequiredMode.REQUIRED) String tensor,
            @Schema(requiredMode = RequiredMode.REQUIRED) boolean required,
            @Schema(requiredMode = RequiredMode.REQUIRED) List<Form> forms,
            @Schema(requiredMode = RequiredMode.REQUIRED) String description) {
    }

    @Schema(name = "CatalogueInputForm", description = """
            One form of an input: real numbers (in the request's dtype) or class indices, its shape, and the range \
            of its values.""")
    record Form(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"real", "classIndices"}) String kind,
            @Schema(requiredMode = RequiredMode.REQUIRED) String shape,
            @Schema(types = {"string", "null"}) String values) {
    }

    @Schema(name = "CatalogueScalar", description = """
            A scalar parameter: its JSON field, its request parameter on the Open Inference Protocol, its type, \
            default and range.""")
    record Scalar(
            @Schema(requiredMode = RequiredMode.REQUIRED) String name,
            @Schema(requiredMode = RequiredMode.REQUIRED) String parameter,
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"number", "integer", "boolean"}) String type,
            @Schema(types = {"number", "integer", "boolean", "null"}, description = "Null when it has none.")
            Object defaultValue,
            @Schema(types = {"string", "null"}) String range,
            @Schema(requiredMode = RequiredMode.REQUIRED) String description) {
    }

    @Schema(name = "CatalogueOutput", description = """
            An optional output: its name in `include`, its tensor on the Open Inference Protocol, its shape, whether \
            it is returned by default and whether it is the unreduced result of reduction `none`.""")
    record Output(
            @Schema(requiredMode = RequiredMode.REQUIRED) String name,
            @Schema(requiredMode = RequiredMode.REQUIRED) String tensor,
            @Schema(requiredMode = RequiredMode.REQUIRED) String shape,
            @Schema(requiredMode = RequiredMode.REQUIRED) boolean byDefault,
            @Schema(requiredMode = RequiredMode.REQUIRED) boolean unreduced,
            @Schema(requiredMode = RequiredMode.REQUIRED) String description) {
    }
}
