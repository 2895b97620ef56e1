//! Pipeline construction: the instanced mesh pipelines (shadow casters and the scene pass share one
//! recipe) and the full-screen output pipelines, cached per output format and AOV family.

use std::collections::HashMap;

use crate::instances::InstanceRaw;
use crate::mesh::MeshVertex;

/// What differs between the instanced mesh pipelines.
pub struct MeshPipelineDesc<'a> {
    /// Debug label.
    pub label: &'a str,
    /// The bind group layouts, group 0 first.
    pub layouts: &'a [&'a wgpu::BindGroupLayout],
    /// The module holding both entry points.
    pub shader: &'a wgpu::ShaderModule,
    /// Vertex entry point.
    pub vertex_entry: &'a str,
    /// Blend the color output "over" what is there (straight alpha) instead of replacing it.
    pub blend: bool,
    /// Fragment entry point and its color target (`None`: the fragment writes no color, it only
    /// discards), or `None` for depth only.
    pub fragment: Option<(&'a str, Option<wgpu::TextureFormat>)>,
    /// Depth format, bias included.
    pub depth: wgpu::DepthStencilState,
    /// Back-face culling (the scene pass) or none (shadow casters: planes cast from both sides).
    pub cull_mode: Option<wgpu::Face>,
    /// Samples per pixel of the attachments.
    pub samples: u32,
}

/// An instanced pipeline over the mesh (slot 0) and instance (slot 1) vertex buffers.
pub fn mesh_pipeline(device: &wgpu::Device, desc: &MeshPipelineDesc<'_>) -> wgpu::RenderPipeline {
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(desc.label),
        bind_group_layouts: &desc.layouts.iter().map(|l| Some(*l)).collect::<Vec<_>>(),
        immediate_size: 0,
    });
    let blend = desc.blend.then_some(wgpu::BlendState::ALPHA_BLENDING);
    // A fragment entry without a format writes no color (a depth-only pass that still discards).
    let targets: Option<Vec<Option<wgpu::ColorTargetState>>> = desc.fragment.map(|(_, format)| {
        format
            .map(|format| wgpu::ColorTargetState {
                format,
                blend,
                write_mask: wgpu::ColorWrites::ALL,
            })
            .into_iter()
            .map(Some)
            .collect()
    });
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(desc.label),
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module: desc.shader,
            entry_point: Some(desc.vertex_entry),
            compilation_options: Default::default(),
            buffers: &[Some(MeshVertex::LAYOUT), Some(InstanceRaw::LAYOUT)],
        },
        primitive: wgpu::PrimitiveState {
            cull_mode: desc.cull_mode,
            ..Default::default()
        },
        depth_stencil: Some(desc.depth.clone()),
        multisample: wgpu::MultisampleState {
            count: desc.samples,
            ..Default::default()
        },
        fragment: desc
            .fragment
            .zip(targets.as_ref())
            .map(|((entry, _), targets)| wgpu::FragmentState {
                module: desc.shader,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                targets: targets.as_slice(),
            }),
        multiview_mask: None,
        cache: None,
    })
}

/// Which scene pipeline a surface draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SceneVariant {
    /// Blended "over" what is there, drawn after opaque surfaces, without writing depth.
    pub blend: bool,
    /// Back faces drawn too (no culling).
    pub double_sided: bool,
    /// Samples the surface's five textures (`fs_main`); without any, `fs_untextured` skips sampling.
    pub textured: bool,
}

impl SceneVariant {
    fn index(self) -> usize {
        usize::from(self.blend) * 4
            + usize::from(self.double_sided) * 2
            + usize::from(self.textured)
    }
}

/// The scene pass's pipeline variants (every [`SceneVariant`]). The opaque, single-sided, untextured one
/// (what built-in shapes use) is made at once; the others the first time a frame needs them, so a
/// scene of built-in shapes compiles one scene pipeline.
pub struct ScenePipelines {
    shader: wgpu::ShaderModule,
    frame_layout: wgpu::BindGroupLayout,
    surface_layout: wgpu::BindGroupLayout,
    hdr_format: wgpu::TextureFormat,
    samples: u32,
    /// Indexed by [`SceneVariant::index`].
    variants: [Option<wgpu::RenderPipeline>; 8],
}

impl ScenePipelines {
    /// Creates the variant of built-in shapes.
    pub fn new(
        gpu: &crate::Gpu,
        shader: &wgpu::ShaderModule,
        frame_layout: &wgpu::BindGroupLayout,
        surface_layout: &wgpu::BindGroupLayout,
    ) -> Self {
        let mut pipelines = Self {
            shader: shader.clone(),
            frame_layout: frame_layout.clone(),
            surface_layout: surface_layout.clone(),
            hdr_format: gpu.hdr_format,
            samples: gpu.msaa_samples,
            variants: Default::default(),
        };
        pipelines.prepare(&gpu.device, SceneVariant::default());
        pipelines
    }

    /// Makes sure the variant exists.
    pub fn prepare(&mut self, device: &wgpu::Device, variant: SceneVariant) {
        let slot = &mut self.variants[variant.index()];
        if slot.is_some() {
            return;
        }
        let fragment_entry = if variant.textured {
            "fs_main"
        } else {
            "fs_untextured"
        };
        *slot = Some(mesh_pipeline(
            device,
            &MeshPipelineDesc {
                label: "scene",
                layouts: &[&self.frame_layout, &self.surface_layout],
                shader: &self.shader,
                vertex_entry: "vs_main",
                blend: variant.blend,
                fragment: Some((fragment_entry, Some(self.hdr_format))),
                depth: wgpu::DepthStencilState {
                    format: crate::targets::DEPTH_FORMAT,
                    // Blended surfaces are drawn after opaque ones and do not hide what is behind them.
                    depth_write_enabled: Some(!variant.blend),
                    depth_compare: Some(wgpu::CompareFunction::Less),
                    stencil: Default::default(),
                    bias: Default::default(),
                },
                cull_mode: (!variant.double_sided).then_some(wgpu::Face::Back),
                samples: self.samples,
            },
        ));
    }

    /// How many variants have been built.
    pub fn count(&self) -> usize {
        self.variants.iter().flatten().count()
    }

    /// The variant, if prepared.
    pub fn get(&self, variant: SceneVariant) -> Option<&wgpu::RenderPipeline> {
        self.variants[variant.index()].as_ref()
    }
}

/// A bind group layout entry for a uniform buffer seen by both stages.
pub fn uniform_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// How the output pass turns HDR values into the output view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputKind {
    /// ACES tonemapping of radiance (the beauty AOV).
    Tonemap,
    /// Values copied as they are (data AOVs, already in display encoding).
    PassThrough,
}

/// The full-screen output pipelines, built on first use per (format, kind): canvas formats differ
/// between backends, and switching AOVs must not rebuild anything that already exists.
pub struct OutputPipelines {
    layout: wgpu::BindGroupLayout,
    shader: wgpu::ShaderModule,
    cache: HashMap<(wgpu::TextureFormat, OutputKind), wgpu::RenderPipeline>,
}

impl OutputPipelines {
    /// Compiles the output shader; pipelines are built lazily.
    pub fn new(device: &wgpu::Device) -> Self {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("output"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable: false },
                    view_dimension: wgpu::TextureViewDimension::D2,
                    multisampled: false,
                },
                count: None,
            }],
        });
        let shader = device.create_shader_module(crate::shader!("tonemap.wgsl"));
        Self {
            layout,
            shader,
            cache: HashMap::new(),
        }
    }

    /// The layout binding the HDR texture the output pass reads.
    pub fn layout(&self) -> &wgpu::BindGroupLayout {
        &self.layout
    }

    /// The pipeline writing `kind` into views of `format`.
    pub fn get(
        &mut self,
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        kind: OutputKind,
    ) -> wgpu::RenderPipeline {
        if let Some(pipeline) = self.cache.get(&(format, kind)) {
            return pipeline.clone();
        }
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("output"),
            bind_group_layouts: &[Some(&self.layout)],
            immediate_size: 0,
        });
        let entry = match kind {
            OutputKind::Tonemap => "fs_tonemap",
            OutputKind::PassThrough => "fs_pass_through",
        };
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some(entry),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &self.shader,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: Default::default(),
            depth_stencil: None,
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &self.shader,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                targets: &[Some(format.into())],
            }),
            multiview_mask: None,
            cache: None,
        });
        self.cache.insert((format, kind), pipeline.clone());
        pipeline
    }
}
